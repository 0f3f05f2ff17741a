using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// One Diameter peer of the load: a socket with a <see cref="PipeReader"/> and a <see cref="PipeWriter"/> over it,
/// a CER, then ECRs with up to <see cref="LoadOptions.Depth"/> in flight.
/// <para>
/// Closed loop: one task owns both pipe halves; each read batch of answers is tallied and replaced by as many new
/// requests, flushed once (docs/ARCHITECTURE.md, convention 6). Latency is measured from the moment a request is written.
/// Open loop: a sender task writes requests at their scheduled times (rate / connections per second) and a
/// receiver task tallies answers; latency is measured from the <em>scheduled</em> time, so a request the
/// generator could not send on time (depth reached, server slow) counts its wait: no coordinated omission.
/// </para>
/// <para>
/// Steady state allocates nothing: requests are a patched template (<see cref="EcrTemplate"/>), answers are parsed
/// in place, in-flight requests live in a fixed ring of slots indexed by hop-by-hop id.
/// </para>
/// </summary>
internal sealed class LoadConnection : IAsyncDisposable
{
    private const int MaxAnswerSize = 64 * 1024;

    private readonly int _index;
    private readonly LoadOptions _options;
    private readonly RunControl _run;
    private readonly Socket _socket;
    private readonly LocalIdentity _identity;
    private readonly EcrTemplate _template;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly byte[] _scratch = new byte[MaxAnswerSize];

    private long _quota;                 // requests this connection may still send
    private int _inflight;
    private uint _nextHopByHop;
    private uint _nextEndToEnd;
    private ulong _sessionCounter;
    private ulong _random;
    private long _lastProgress;          // Stopwatch timestamp of the last answer (or first request after idle)
    private volatile bool _timedOut;
    private volatile bool _senderDone;
    private int _dwaPending;             // open loop: 1 = the next SendDue must answer the DWR below
    private uint _dwaHopByHop;
    private uint _dwaEndToEnd;
    private bool _dwaWritten;            // closed loop: a DWA was written inline and needs flushing
    private bool _closed;
    private double _interval;            // open loop: Stopwatch ticks between this connection's requests
    private double _phase;               // open loop: this connection's offset in the shared schedule
    private long _scheduled;             // open loop: requests of the schedule written so far
    private int _sending;                // open loop: 1 while the pacer or the receiver owns the writer

    private struct Slot
    {
        public long SentAt;
        public ulong Key;
        public uint HopByHop;
        public sbyte Expected;
        public bool Busy;
    }

    private LoadConnection(int index, LoadOptions options, RunControl run, Socket socket, long quota)
    {
        _index = index;
        _options = options;
        _run = run;
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _identity = new LocalIdentity(options.OriginHost, options.Realm, ((IPEndPoint)socket.LocalEndPoint!).Address);
        _template = new EcrTemplate(_identity, index, options.Realm, options.Imsi);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, options.Depth * 2));
        _slots = new Slot[size];
        _mask = size - 1;
        _quota = quota;
        _random = options.Seed * 0x9E37_79B9_7F4A_7C15UL + (ulong)index * 0xD1B5_4A32_D192_ED03UL + 1;
        _nextHopByHop = (uint)(index + 1) << 20;
        _nextEndToEnd = (uint)Environment.TickCount << 16;
    }

    public ConnectionStats Stats { get; } = new();

    public int Index => _index;

    /// <summary>Connects and completes the capabilities exchange; throws <see cref="LoadException"/> when the peer refuses or does not answer.</summary>
    public static async Task<LoadConnection> ConnectAsync(int index, LoadOptions options, RunControl run, long quota, CancellationToken ct)
    {
        var socket = new Socket(options.Target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Timeout);
            await socket.ConnectAsync(options.Target, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new LoadException($"cannot connect to {options.Target}: {(e is SocketException se ? se.SocketErrorCode.ToString() : "timed out")}");
        }

        var connection = new LoadConnection(index, options, run, socket, quota);
        try
        {
            await connection.ExchangeCapabilitiesAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task ExchangeCapabilitiesAsync(CancellationToken ct)
    {
        Span<byte> cer = _writer.GetSpan(4096);
        _writer.Advance(BaseMessages.WriteCer(cer, _identity, _nextHopByHop++, _nextEndToEnd++));
        await _writer.FlushAsync(ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new LoadException($"no CEA from {_options.Target} within {_options.Timeout.TotalSeconds:0.#} s");
            }
            ReadOnlySequence<byte> buffer = result.Buffer;
            uint? resultCode = null;
            try
            {
                FrameStatus status = FrameScanner.TryScan(buffer, MaxAnswerSize, out DiameterHeader header, out FrameError error);
                if (status == FrameStatus.Invalid)
                    throw new LoadException($"{_options.Target} sent an undelimitable frame ({error})");
                if (status == FrameStatus.Complete)
                {
                    ReadOnlySequence<byte> frame = buffer.Slice(0, header.MessageLength);
                    byte[] bytes = frame.ToArray(); // once per connection, off the hot path
                    buffer = buffer.Slice(frame.End);
                    if (!BaseMessages.TryParseCea(bytes, out CeaView cea))
                        throw new LoadException($"{_options.Target} answered the CER with something that is not a CEA");
                    resultCode = cea.ResultCode;
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
            if (resultCode == ResultCodes.Success) return;
            if (resultCode is { } refused)
                throw new LoadException($"capabilities exchange refused: Result-Code {refused}");
            if (result.IsCompleted)
                throw new LoadException($"{_options.Target} closed the connection before answering the CER");
        }
    }

    // ---------------------------------------------------------------------------------------------- closed loop

    /// <summary>Closed loop: keep <see cref="LoadOptions.Depth"/> requests in flight until the quota or the run ends.</summary>
    public async Task RunClosedLoopAsync()
    {
        try
        {
            while (true)
            {
                bool wrote = FillWindow(Stopwatch.GetTimestamp());
                wrote |= WritePendingDwa();
                if (wrote)
                {
                    FlushResult flush = await _writer.FlushAsync();
                    if (flush.IsCompleted) { Closed("the server stopped reading"); break; }
                }
                if (Volatile.Read(ref _inflight) == 0 || _timedOut || _closed)
                    break;

                ReadResult result = await _reader.ReadAsync();
                SocketCompletions.CountRead(Stats);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    ProcessFrames(ref buffer, answerWatchdogInline: true);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted && Volatile.Read(ref _inflight) > 0 && !_closed)
                    Closed("the server closed the connection with requests outstanding");
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Closed($"connection failed: {e.Message}");
        }
        Finish();
    }

    /// <summary>Writes requests until the window is full, the quota is spent or the run stops issuing.</summary>
    private bool FillWindow(long now)
    {
        bool wrote = false;
        while (_inflight < _options.Depth && StillSending)
        {
            if (!TryIssue(now)) break;
            wrote = true;
        }
        return wrote;
    }

    // ------------------------------------------------------------------------------------------------ open loop

    /// <summary>
    /// Open loop: this connection's share of the rate on a fixed schedule. Request n of connection i of C is due at
    /// start + (n + i / C) × interval, so the connections' schedules interleave into one even stream instead of
    /// all falling due at once. Called for every connection before the pacer starts.
    /// </summary>
    public void BeginOpenLoop(double ratePerConnection)
    {
        _interval = Stopwatch.Frequency / ratePerConnection;
        _phase = _interval * _index / _options.Connections;
    }

    /// <summary>
    /// Open loop: the <see cref="OpenLoopPacer"/> and this connection's receiver write the requests
    /// (<see cref="SendDue"/>); this task receives until the pacer is done and nothing is outstanding.
    /// </summary>
    public async Task RunOpenLoopAsync()
    {
        await ReceiveAsync();
        Finish();
    }

    /// <summary>When request <paramref name="n"/> of this connection is due (Stopwatch ticks).</summary>
    private long DueAt(long n) => _run.Start + (long)(_phase + n * _interval);

    /// <summary>
    /// Writes every request due by <paramref name="now"/> that the window has room for, and a DWA the receiver asked
    /// for; called by the pacer every tick and by the receiver after answers free places. Whoever finds the other
    /// writing leaves it to them: the writer checks again after it lets go, so nothing due is left for a whole tick.
    /// Returns whether this connection still has requests to send.
    /// </summary>
    public bool SendDue(long now)
    {
        while (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            bool flushing = false;
            try
            {
                bool wrote = false;
                long writing = Stopwatch.GetTimestamp();
                while (StillSending)
                {
                    long due = DueAt(_scheduled);
                    // Window full: the request stays due and its latency keeps counting from its due time.
                    if (due > now || Volatile.Read(ref _inflight) >= _options.Depth || !TryIssue(due)) break;
                    if (due >= _run.WarmupEnd) Stats.SendWait.Record(RunControl.ToNanoseconds(writing - due));
                    _scheduled++;
                    wrote = true;
                }
                wrote |= WritePendingDwa();
                if (wrote)
                {
                    ValueTask<FlushResult> flush = _writer.FlushAsync();
                    if (!flush.IsCompletedSuccessfully)
                    {
                        flushing = true; // the socket is full: the flush finishes later and lets go then
                        _ = FinishFlushAsync(flush);
                        return true;
                    }
                    if (flush.Result.IsCompleted) Closed("the server stopped reading");
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Closed($"connection failed: {e.Message}");
            }
            finally
            {
                if (!flushing) Volatile.Write(ref _sending, 0);
            }
            if (!HasWorkDue(now)) break;
        }
        return StillSending;
    }

    /// <summary>Something to write: a DWA, or a due request with room in the window (read without owning the writer).</summary>
    private bool HasWorkDue(long now) =>
        Volatile.Read(ref _dwaPending) != 0
        || (StillSending && DueAt(Volatile.Read(ref _scheduled)) <= now && Volatile.Read(ref _inflight) < _options.Depth);

    /// <summary>Requests left to send and nothing that stops this connection sending them.</summary>
    private bool StillSending => _quota > 0 && !_run.StopIssuing && !_timedOut && !_closed;

    private async Task FinishFlushAsync(ValueTask<FlushResult> pending)
    {
        try
        {
            if ((await pending).IsCompleted) Closed("the server stopped reading");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Closed($"connection failed: {e.Message}");
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
        SendDue(Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The pacer is done: counts the requests that were due by <paramref name="stoppedAt"/> (when sending stopped)
    /// and never written (the server or the generator fell behind the rate), and lets the receiver finish.
    /// </summary>
    public void EndOpenLoop(long stoppedAt)
    {
        if (stoppedAt != long.MaxValue && _quota > 0 && stoppedAt >= _run.Start)
        {
            long dueByStop = (long)Math.Floor(((stoppedAt - _run.Start) - _phase) / _interval) + 1;
            Stats.BehindSchedule = Math.Clamp(dueByStop - Volatile.Read(ref _scheduled), 0, _quota);
        }
        _senderDone = true;
        _reader.CancelPendingRead();
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (!_timedOut && !_closed)
            {
                if (_senderDone && Volatile.Read(ref _inflight) == 0) break;
                ReadResult result = await _reader.ReadAsync();
                SocketCompletions.CountRead(Stats);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    ProcessFrames(ref buffer, answerWatchdogInline: false);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
                // Answers freed places: requests that fell due meanwhile (or a DWA) go now, not at the next tick.
                long now = Stopwatch.GetTimestamp();
                if (HasWorkDue(now)) SendDue(now);
                if (result.IsCompleted)
                {
                    if (Volatile.Read(ref _inflight) > 0) Closed("the server closed the connection with requests outstanding");
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Closed($"connection failed: {e.Message}");
        }
    }

    // --------------------------------------------------------------------------------------------------- shared

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryIssue(long sentAt)
    {
        uint hopByHop = _nextHopByHop;
        ref Slot slot = ref _slots[hopByHop & _mask];
        if (Volatile.Read(ref slot.Busy)) return false; // an older request still holds it (answers out of order)

        long index = (long)(NextRandom() % (ulong)_options.Source.Count);
        (ulong key, sbyte expected) = _options.Source.At(index);
        Span<byte> destination = _writer.GetSpan(_template.Length);
        _template.Write(destination, key, hopByHop, _nextEndToEnd++, _sessionCounter++);
        _writer.Advance(_template.Length);

        slot.SentAt = sentAt;
        slot.Key = key;
        slot.HopByHop = hopByHop;
        slot.Expected = expected;
        Volatile.Write(ref slot.Busy, true);
        _nextHopByHop = hopByHop + 1;
        if (Interlocked.Increment(ref _inflight) == 1)
            Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
        _quota--;
        Stats.Sent++;
        return true;
    }

    private void ProcessFrames(ref ReadOnlySequence<byte> buffer, bool answerWatchdogInline)
    {
        while (true)
        {
            FrameStatus status = FrameScanner.TryScan(buffer, MaxAnswerSize, out DiameterHeader header, out FrameError error);
            if (status == FrameStatus.NeedMoreData) return;
            if (status == FrameStatus.Invalid)
            {
                Stats.Error($"connection {_index}: undelimitable frame from the server ({error})");
                Closed(null);
                return;
            }
            ReadOnlySequence<byte> frame = buffer.Slice(0, header.MessageLength);
            ReadOnlySpan<byte> message;
            if (frame.IsSingleSegment)
            {
                message = frame.FirstSpan;
            }
            else
            {
                frame.CopyTo(_scratch);
                message = _scratch.AsSpan(0, header.MessageLength);
            }
            buffer = buffer.Slice(frame.End);

            if (header.IsRequest)
                OnRequest(header, answerWatchdogInline);
            else if (header.CommandCode == CommandCodes.MeIdentityCheck)
                OnAnswer(message, header);
        }
    }

    private void OnRequest(in DiameterHeader header, bool inline)
    {
        if (header.ApplicationId == ApplicationIds.Common && header.CommandCode == CommandCodes.DeviceWatchdog)
        {
            // RFC 3539: answer the server's watchdog, or it declares us dead. In the open loop only the sender
            // writes, so the receiver leaves the ids for it.
            if (inline)
            {
                _writer.Advance(BaseMessages.WriteDwa(_writer.GetSpan(1024), header, _identity));
                _dwaWritten = true;
            }
            else
            {
                _dwaHopByHop = header.HopByHopId;
                _dwaEndToEnd = header.EndToEndId;
                Volatile.Write(ref _dwaPending, 1);
            }
        }
        else if (header.ApplicationId == ApplicationIds.Common && header.CommandCode == CommandCodes.DisconnectPeer)
        {
            Stats.Note($"connection {_index}: the server sent DPR");
            Closed(null);
        }
    }

    /// <summary>Writes the DWA the receiver asked for (open loop); true when a DWA needs flushing.</summary>
    private bool WritePendingDwa()
    {
        bool written = _dwaWritten;
        _dwaWritten = false;
        if (Interlocked.Exchange(ref _dwaPending, 0) == 0) return written;
        var request = new DiameterHeader(DiameterHeader.CurrentVersion, DiameterHeader.Size, DiameterFlags.Request,
            CommandCodes.DeviceWatchdog, ApplicationIds.Common, _dwaHopByHop, _dwaEndToEnd);
        _writer.Advance(BaseMessages.WriteDwa(_writer.GetSpan(1024), request, _identity));
        return true;
    }

    private void OnAnswer(ReadOnlySpan<byte> message, in DiameterHeader header)
    {
        long now = Stopwatch.GetTimestamp();
        ref Slot slot = ref _slots[header.HopByHopId & _mask];
        if (!Volatile.Read(ref slot.Busy) || slot.HopByHop != header.HopByHopId)
        {
            Stats.Error($"connection {_index}: an answer with hop-by-hop id {header.HopByHopId} matches no request");
            return;
        }
        long sentAt = slot.SentAt;
        ulong key = slot.Key;
        sbyte expected = slot.Expected;
        Volatile.Write(ref slot.Busy, false);
        Interlocked.Decrement(ref _inflight);
        Volatile.Write(ref _lastProgress, now);

        ConnectionStats stats = Stats;
        stats.Answered++;
        if (sentAt >= _run.WarmupEnd)
            stats.Latency.Record(RunControl.ToNanoseconds(now - sentAt));
        if (now >= _run.WarmupEnd && now <= _run.WindowEnd)
            stats.AnsweredInWindow++;

        uint resultCode;
        uint experimental = 0;
        int status = -1;
        if (S13Messages.TryParseEca(message, out EcaView eca))
        {
            resultCode = eca.ResultCode;
            experimental = eca.ExperimentalResultCode;
            status = eca.EquipmentStatus;
        }
        else if (!BaseMessages.TryGetResultCode(message, out resultCode))
        {
            stats.Error($"connection {_index}: an answer that is neither an ECA nor an answer-message");
            return;
        }

        if (experimental != 0) stats.CountExperimental(experimental);
        else stats.CountResultCode(resultCode);
        stats.EquipmentStatus[status is >= 0 and <= 2 ? status : ConnectionStats.NoStatus]++;

        bool ok = expected switch
        {
            RequestSource.NoExpectation => true,
            RequestSource.ExpectEquipmentUnknown => experimental == ResultCodes.EquipmentUnknown,
            _ => resultCode == ResultCodes.Success && status == expected,
        };
        if (!ok)
        {
            stats.Mismatches++;
            // The first few, by IMEI, so a wrong answer can be checked by hand (eirctl check); off the steady state.
            if (stats.Messages.Count < 4)
                stats.Note($"IMEI {Core.Imei.FromKey(key)}: expected {Describe(expected)}, got Result-Code {resultCode}"
                           + (experimental != 0 ? $" Experimental-Result {experimental}" : "") + $" Equipment-Status {status}");
        }
    }

    private static string Describe(sbyte expected) => expected switch
    {
        RequestSource.ExpectEquipmentUnknown => "Experimental-Result 5422",
        _ => $"Equipment-Status {expected}",
    };

    /// <summary>Called by the run's monitor: declares the connection timed out when answers stopped coming.</summary>
    public void CheckTimeout(long now, long timeoutTicks)
    {
        if (Volatile.Read(ref _inflight) > 0 && now - Volatile.Read(ref _lastProgress) > timeoutTicks && !_timedOut)
        {
            _timedOut = true;
            _reader.CancelPendingRead();
        }
    }

    /// <summary>Wakes a receiver waiting for answers (the run is over and nothing is outstanding).</summary>
    public void Wake() => _reader.CancelPendingRead();

    private void Closed(string? why)
    {
        if (_closed) return;
        _closed = true;
        if (why is not null) Stats.Error($"connection {_index}: {why}");
    }

    private void Finish()
    {
        int outstanding = Volatile.Read(ref _inflight);
        if (outstanding > 0)
        {
            if (_timedOut)
            {
                Stats.Timeouts += outstanding;
                Stats.Note($"connection {_index}: no answer within {_options.Timeout.TotalSeconds:0.#} s to {outstanding} request(s)");
            }
            else
            {
                Stats.Unanswered += outstanding;
                Stats.Note($"connection {_index}: {outstanding} request(s) unanswered when the connection ended");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong NextRandom()
    {
        // xorshift64*: fast and good enough to pick keys uniformly.
        ulong x = _random;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _random = x;
        return x * 0x2545_F491_4F6C_DD1DUL;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _writer.CompleteAsync();
            await _reader.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }
}

/// <summary>A failure that stops the run, reported in one line.</summary>
internal sealed class LoadException(string message) : Exception(message);
