using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using ImeiEir.Diameter;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Observability;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// One Diameter peer connection: the RFC 6733 §5.6 peer state machine reduced to what a server needs
/// (wait for CER → open → disconnecting), the RFC 3539 watchdog, and S13 request dispatch.
/// <para>
/// One task owns both pipe halves (docs/ARCHITECTURE.md, convention 9). Timers never write: they wake the read loop
/// with <see cref="PipeReader.CancelPendingRead"/> and the loop decides, so there is never a second writer. Each read
/// batch is answered in full and flushed once (docs/ARCHITECTURE.md, convention 6).
/// </para>
/// </summary>
internal sealed class DiameterConnection : IDisposable
{
    private enum State { WaitingForCer, Open, Disconnecting }

    private enum Verdict { Continue, Close }

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly DiameterServices _services;
    private readonly DiameterOptions _options;
    private readonly LocalIdentity _identity;
    private readonly TimeProvider _time;
    private readonly S13Responder _responder;
    private readonly ConnectionMeter _meter;
    private readonly AdmissionTicket _admission;
    private readonly string _connectionId;
    private readonly string? _remote;
    private readonly long _connectedAt;

    private State _state = State.WaitingForCer;
    private string _peerHost = "(before CER)";
    private long _lastReceived;              // TimeProvider timestamp; written by the loop, read by the timer
    private volatile bool _watchdogPending;  // a DWR is out and nothing has been heard since
    private volatile bool _disconnectRequested;
    private volatile bool _evicted;          // pushed out of the pending pool by a newer connection
    private long _frameStarted;              // TimeProvider timestamp of a partial frame's first byte; 0: none
    private long _disconnectDeadline;
    private bool _outputPending;
    private uint _nextHopByHop;
    private uint _nextEndToEnd;
    private byte[]? _scratch;
    private readonly ITimer _timer;
    private string _closeReason = "peer closed the connection";
    private long _batchStarted;              // Stopwatch timestamp of the current read batch: latency counts from it

    public DiameterConnection(IDuplexPipe transport, DiameterServices services, IPAddress? remoteAddress, string connectionId, string? remote)
    {
        _input = transport.Input;
        _output = transport.Output;
        _services = services;
        _options = services.Options;
        _identity = services.Identity;
        _time = services.Time;
        _responder = services.CreateResponder();
        _meter = services.Metrics.OpenConnection();
        _connectionId = connectionId;
        _remote = remote;
        _connectedAt = _time.GetTimestamp();
        _lastReceived = _connectedAt;

        // RFC 6733 §3: hop-by-hop ids only need to be unique on the connection; end-to-end ids start with the low
        // 12 bits of the time in the high bits and a random low part, so they stay unique across restarts.
        _nextHopByHop = (uint)Random.Shared.Next();
        _nextEndToEnd = ((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds() << 20) | (uint)Random.Shared.Next(1 << 20);

        // Started with the connection, not with the loop, so the CER timeout counts from the accept.
        TimeSpan tick = TickInterval();
        _timer = _time.CreateTimer(static s => ((DiameterConnection)s!).OnTick(), this, tick, tick);

        // Last: entering the pending pool may close its oldest member, which must not find this one half-built.
        _admission = services.Admission.Arrive(remoteAddress, Evict);
    }

    /// <summary>Why the connection ended, for the caller's log line.</summary>
    public string CloseReason => _closeReason;

    /// <summary>Whether part of a message has arrived and the rest is awaited (the frame clock runs).</summary>
    internal bool IsReceivingFrame => Volatile.Read(ref _frameStarted) != 0;

    /// <summary>The peer's Origin-Host once its CER was accepted.</summary>
    public string PeerHost => _peerHost;

    /// <summary>Runs until the peer leaves, a protocol violation closes the connection, or shutdown completes.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        CancellationTokenRegistration registration = stopping.Register(static s => ((DiameterConnection)s!).RequestDisconnect(), this);
        try
        {
            await ProcessAsync();
        }
        finally
        {
            // Stop every wake-up source before completing the pipes they would poke.
            await registration.DisposeAsync();
            await _timer.DisposeAsync();
            await _output.CompleteAsync();
            await _input.CompleteAsync();
        }
    }

    /// <summary>Asks the loop to say goodbye (DPR) and close; safe from any thread.</summary>
    public void RequestDisconnect()
    {
        _disconnectRequested = true;
        _input.CancelPendingRead();
    }

    /// <summary>Closes a connection still waiting for its CER to make room for a newer one; safe from any thread.</summary>
    private void Evict()
    {
        _evicted = true;
        _input.CancelPendingRead();
    }

    public void Dispose()
    {
        _admission.Leave();
        _timer.Dispose();
        _responder.Dispose();
        _services.Metrics.CloseConnection(_meter);
        if (_scratch is not null)
            ArrayPool<byte>.Shared.Return(_scratch);
    }

    private async Task ProcessAsync()
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync();
            _batchStarted = Stopwatch.GetTimestamp();
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition batchStart = buffer.Start;
            long received = 0;
            Verdict verdict;
            try
            {
                if (!buffer.IsEmpty)
                {
                    // Any message from the peer proves it alive (RFC 3539 §3.4.1), whatever it is.
                    received = _time.GetTimestamp();
                    Volatile.Write(ref _lastReceived, received);
                    _watchdogPending = false;
                }
                // One epoch entry for the whole batch instead of one per lookup; left before the flush's await.
                _responder.EnterBatch();
                try
                {
                    verdict = ProcessFrames(ref buffer);
                }
                finally
                {
                    _responder.ExitBatch();
                }
                // A partial frame implies a non-empty batch, so received is its arrival time.
                TrackPartialFrame(partial: !buffer.IsEmpty, newFrame: !buffer.Start.Equals(batchStart), received);
                if (verdict == Verdict.Continue && result.IsCanceled)
                    verdict = OnTimers(buffer.Length);
                if (verdict == Verdict.Continue && result.IsCompleted)
                {
                    verdict = Verdict.Close;
                    _closeReason = buffer.IsEmpty ? "peer closed the connection" : "peer closed the connection in the middle of a message";
                }
            }
            finally
            {
                // docs/ARCHITECTURE.md, convention 2: consumed = the whole frames handled; examined = everything we
                // were shown.
                _input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (_outputPending)
            {
                _outputPending = false;
                FlushResult flush = await _output.FlushAsync();
                if (flush.IsCompleted)
                {
                    _closeReason = "peer stopped reading";
                    return;
                }
            }

            if (verdict == Verdict.Close)
                return;
        }
    }

    private Verdict ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        int maxLength = _options.MaxMessageSize;
        if (_state == State.Open)
            PrefetchLookups(buffer.FirstSpan);
        while (true)
        {
            FrameStatus status = FrameScanner.TryScan(buffer, maxLength, out DiameterHeader header, out FrameError error);
            if (status == FrameStatus.NeedMoreData)
                return Verdict.Continue;
            if (status == FrameStatus.Invalid)
            {
                // Without a trustworthy length there is no next message to find: close (docs/ARCHITECTURE.md, "Diameter S13").
                // A version-1 request whose length is impossible is first told so (RFC 6733 §7.1.5, 5015).
                if (error is (FrameError.LengthNotMultipleOf4 or FrameError.LengthTooSmall) && header.IsRequest)
                {
                    Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(0, _identity));
                    Commit(BaseMessages.WriteInvalidMessageLengthAnswer(destination, header, _identity));
                    _closeReason = $"undelimitable frame ({error}, length {header.MessageLength}; answered 5015 INVALID_MESSAGE_LENGTH)";
                }
                else
                {
                    _closeReason = $"undelimitable frame ({error})";
                }
                LogViolation(_closeReason);
                return Verdict.Close;
            }

            ReadOnlySequence<byte> frame = buffer.Slice(0, header.MessageLength);
            Verdict verdict = frame.IsSingleSegment
                ? Dispatch(frame.FirstSpan, header)
                : Dispatch(CopyToScratch(frame), header);
            buffer = buffer.Slice(frame.End);
            if (verdict == Verdict.Close)
                return verdict;
        }
    }

    /// <summary>
    /// A read of a pipelining peer holds many ECRs; their lookups are random accesses into a large index, a cache miss
    /// each when done one by one. Prefetching the buckets of the frames after the first (up to
    /// <see cref="MaxPrefetchedFrames"/>) before answering any lets those misses overlap with the answers before them.
    /// The first frame gains nothing from it, so a peer that sends one request at a time pays only for a length check.
    /// Whole frames of the first segment only: the rest are answered without the hint.
    /// </summary>
    private void PrefetchLookups(ReadOnlySpan<byte> span)
    {
        int offset = FrameLength(span);
        for (int frames = 0; frames < MaxPrefetchedFrames && offset > 0; frames++)
        {
            ReadOnlySpan<byte> rest = span[offset..];
            int length = FrameLength(rest);
            if (length == 0) return;
            _responder.Prefetch(rest[..length]);
            offset += length;
        }
    }

    /// <summary>The length of the whole frame at the start of <paramref name="span"/>; 0 when it is not all there.</summary>
    private static int FrameLength(ReadOnlySpan<byte> span) =>
        DiameterHeader.TryRead(span, out DiameterHeader header)
        && header.MessageLength >= DiameterHeader.Size && header.MessageLength <= span.Length
            ? header.MessageLength
            : 0;

    /// <summary>Enough misses in flight to cover memory latency, few enough that the buckets stay cached until used.</summary>
    private const int MaxPrefetchedFrames = 32;

    // docs/ARCHITECTURE.md, convention 3: frames straddling pipe segments are rare; copying them into one reused
    // buffer keeps a single, span-based parser instead of a second SequenceReader-based one.
    private ReadOnlySpan<byte> CopyToScratch(in ReadOnlySequence<byte> frame)
    {
        _scratch ??= ArrayPool<byte>.Shared.Rent(_options.MaxMessageSize);
        Span<byte> target = _scratch.AsSpan(0, (int)frame.Length);
        frame.CopyTo(target);
        return target;
    }

    private Verdict Dispatch(ReadOnlySpan<byte> message, in DiameterHeader header)
    {
        if (!header.IsRequest)
            return OnAnswer(message, header);

        if (_state == State.WaitingForCer)
        {
            if (header.ApplicationId == ApplicationIds.Common && header.CommandCode == CommandCodes.CapabilitiesExchange)
                return OnCer(message, header);
            // RFC 6733 §5.6: nothing but CER is valid before the capabilities exchange.
            _closeReason = $"command {header.CommandCode} (application {header.ApplicationId}) before CER";
            LogViolation(_closeReason);
            return Verdict.Close;
        }

        if (header.ApplicationId == ApplicationIds.S13)
        {
            if (header.CommandCode == CommandCodes.MeIdentityCheck)
            {
                Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(message.Length, _identity));
                Commit(_responder.Answer(message, destination, out AnswerKind answered));
                _meter.Record(answered, Stopwatch.GetTimestamp() - _batchStarted);
            }
            else
            {
                WriteProtocolError(message, ResultCodes.CommandUnsupported);
            }
            return Verdict.Continue;
        }

        if (header.ApplicationId != ApplicationIds.Common)
        {
            WriteProtocolError(message, ResultCodes.ApplicationUnsupported);
            return Verdict.Continue;
        }

        switch (header.CommandCode)
        {
            case CommandCodes.DeviceWatchdog:
            {
                Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(message.Length, _identity));
                if (!BaseMessages.TryParseDwr(message, out ProtocolError dwrError))
                {
                    // Validated as an ECR is (docs/ARCHITECTURE.md, convention 7): the error is the answer, the connection stays.
                    Commit(BaseMessages.WriteDwa(destination, message, _identity, dwrError));
                    LogMalformed($"malformed DWR answered ({dwrError})");
                    return Verdict.Continue;
                }
                Commit(BaseMessages.WriteDwa(destination, header, _identity));
                NodeLog.WatchdogReceived(_services.Logger, _peerHost);
                return Verdict.Continue;
            }
            case CommandCodes.DisconnectPeer:
            {
                Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(message.Length, _identity));
                if (!BaseMessages.TryParseDpr(message, out uint cause, out ProtocolError dprError))
                {
                    // Refused as a DWR would be; the peer may send a proper DPR or close, so the connection stays.
                    Commit(BaseMessages.WriteDpa(destination, message, _identity, dprError));
                    LogMalformed($"malformed DPR answered ({dprError})");
                    return Verdict.Continue;
                }
                Commit(BaseMessages.WriteDpa(destination, header, _identity));
                NodeLog.DisconnectReceived(_services.Logger, _peerHost, cause);
                _closeReason = "peer sent DPR";
                return Verdict.Close; // the DPA is flushed before the loop returns
            }
            case CommandCodes.CapabilitiesExchange:
            {
                // A repeated CER on an open connection: answer it again rather than tear down a working peer, but
                // validated as the first one was; a malformed one gets its error and the connection stays.
                Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(message.Length, _identity));
                if (!BaseMessages.TryParseCer(message, out CerView repeated, out ProtocolError cerError))
                {
                    Commit(BaseMessages.WriteCea(destination, message, _identity, cerError));
                    LogMalformed($"malformed repeated CER answered ({cerError}){OriginHostOf(repeated)}");
                    return Verdict.Continue;
                }
                Commit(BaseMessages.WriteCea(destination, header, _identity, ResultCodes.Success));
                return Verdict.Continue;
            }
            default:
                WriteProtocolError(message, ResultCodes.CommandUnsupported);
                return Verdict.Continue;
        }
    }

    private Verdict OnCer(ReadOnlySpan<byte> message, in DiameterHeader header)
    {
        Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(message.Length, _identity));
        if (!BaseMessages.TryParseCer(message, out CerView cer, out ProtocolError error))
        {
            Commit(BaseMessages.WriteCea(destination, message, _identity, error));
            return Reject($"malformed CER ({error}){OriginHostOf(cer)}");
        }

        // Valid DiameterIdentity by now (TryParseCer), escaped all the same: nothing a peer sends reaches a log raw.
        string peer = LogText.Escape(cer.OriginHost);
        if (!_admission.IsAllowed(cer.OriginHost))
        {
            // RFC 6733 §5.3: a CER from a peer local policy does not know gets DIAMETER_UNKNOWN_PEER, a protocol error
            // (E bit, §7.1.3), and the connection closes.
            Commit(BaseMessages.WriteProtocolErrorAnswer(destination, message, _identity, ResultCodes.UnknownPeer));
            return Reject($"{peer}: not in Diameter:AllowedPeers (3010 UNKNOWN_PEER)");
        }

        if (!cer.SupportsS13)
        {
            // RFC 6733 §5.3: no application in common → DIAMETER_NO_COMMON_APPLICATION and close.
            Commit(BaseMessages.WriteCea(destination, header, _identity, ResultCodes.NoCommonApplication));
            return Reject($"{peer} does not advertise S13 (5010 NO_COMMON_APPLICATION)");
        }

        // Only now, with a CER worth answering 2001, does the connection ask for an established-peer slot: a socket
        // that never says hello holds a pending slot at most (PeerAdmission).
        switch (_admission.Establish())
        {
            case CerAdmission.TooBusy:
                // docs/ARCHITECTURE.md, convention 8: refuse with 3004 rather than queue without bound; the peer tries
                // another EIR.
                Commit(BaseMessages.WriteProtocolErrorAnswer(destination, message, _identity, ResultCodes.TooBusy));
                return Reject($"{peer}: connection limit Diameter:MaxConnections = {_options.MaxConnections} reached (3004 TOO_BUSY)");
            case CerAdmission.Evicted:
                return Reject($"{peer}: pushed out of the pending pool (Diameter:MaxPendingConnections) before its CER was read");
        }

        Commit(BaseMessages.WriteCea(destination, header, _identity, ResultCodes.Success));
        _peerHost = peer;
        _state = State.Open;
        if (MayLog(EventPeerUp, nameof(NodeLog.PeerUp)))
            NodeLog.PeerUp(_services.Logger, _peerHost, _connectionId, _remote);
        return Verdict.Continue;
    }

    private Verdict Reject(string why)
    {
        _closeReason = why;
        if (MayLog(EventCerRejected, nameof(NodeLog.CerRejected)))
            NodeLog.CerRejected(_services.Logger, _connectionId, _remote, why);
        return Verdict.Close;
    }

    /// <summary>The connection's last line, written by its handler: limited per address like the others.</summary>
    public void LogClosed()
    {
        if (MayLog(EventPeerClosed, nameof(NodeLog.PeerClosed)))
            NodeLog.PeerClosed(_services.Logger, _peerHost, _connectionId, _closeReason);
    }

    // The event ids of NodeLog; the rate limit counts each kind of line apart.
    private const int EventPeerUp = 10, EventPeerClosed = 11, EventCerRejected = 12, EventProtocolViolation = 13,
        EventMalformedRequest = 22;

    private void LogViolation(string why)
    {
        if (MayLog(EventProtocolViolation, nameof(NodeLog.ProtocolViolation)))
            NodeLog.ProtocolViolation(_services.Logger, _connectionId, _remote, why);
    }

    private void LogMalformed(string why)
    {
        if (MayLog(EventMalformedRequest, nameof(NodeLog.MalformedRequest)))
            NodeLog.MalformedRequest(_services.Logger, _peerHost, _connectionId, _remote, why);
    }

    /// <summary>
    /// Whether a line of <paramref name="kind"/> may be written for this peer's address now (one client looping on
    /// connect-and-garbage must not flood the log); first writes the summary of the lines it held back.
    /// </summary>
    private bool MayLog(int kind, string name)
    {
        string source = LogRateLimiter.SourceOf(_remote);
        LogRateLimiter limits = _services.LogLimits;
        if (!limits.ShouldLog(source, kind, out int suppressed))
            return false;
        if (suppressed > 0)
            NodeLog.Suppressed(_services.Logger, suppressed, source, name, limits.LinesPerInterval, limits.Interval);
        return true;
    }

    // ", Origin-Host "..."" for a log line, escaped (LogText), or nothing when the CER had none.
    private static string OriginHostOf(in CerView cer) =>
        cer.OriginHost.IsEmpty ? "" : $", Origin-Host \"{LogText.Escape(cer.OriginHost)}\"";

    private Verdict OnAnswer(ReadOnlySpan<byte> message, in DiameterHeader header)
    {
        if (header.ApplicationId != ApplicationIds.Common)
            return Verdict.Continue; // we send no application requests; a stray answer is dropped (RFC 6733 §6.2)

        if (header.CommandCode == CommandCodes.DeviceWatchdog)
        {
            NodeLog.WatchdogAnswered(_services.Logger, _peerHost);
            return Verdict.Continue;
        }

        if (header.CommandCode == CommandCodes.DisconnectPeer && _state == State.Disconnecting)
        {
            _closeReason = "DPA received after our DPR";
            return Verdict.Close;
        }
        return Verdict.Continue;
    }

    private Verdict OnTimers(long partialBytes)
    {
        long now = _time.GetTimestamp();
        TimeSpan silence = _time.GetElapsedTime(Volatile.Read(ref _lastReceived), now);

        if (_evicted && _state == State.WaitingForCer)
        {
            _closeReason = $"no CER yet and Diameter:MaxPendingConnections ({_options.MaxPendingConnections}) reached: the oldest waiting connection makes room for a newer one";
            LogViolation(_closeReason);
            return Verdict.Close;
        }

        if (_disconnectRequested)
        {
            if (_state == State.WaitingForCer)
            {
                _closeReason = "shutting down";
                return Verdict.Close;
            }
            if (_state == State.Open)
            {
                Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(0, _identity));
                Commit(BaseMessages.WriteDpr(destination, _identity, _nextHopByHop++, _nextEndToEnd++, disconnectCause: 0 /* REBOOTING */));
                _state = State.Disconnecting;
                _disconnectDeadline = now + (long)(_options.DisconnectTimeout.TotalSeconds * _time.TimestampFrequency);
                NodeLog.DisconnectSent(_services.Logger, _peerHost);
                return Verdict.Continue;
            }
        }

        if (_state == State.Disconnecting && now >= _disconnectDeadline)
        {
            _closeReason = "no DPA before Diameter:DisconnectTimeout";
            return Verdict.Close;
        }

        if (FrameOverdue(now))
        {
            _closeReason = $"a message incomplete after Diameter:FrameTimeout ({_options.FrameTimeout:g}): {partialBytes} bytes of it arrived";
            LogViolation(_closeReason);
            return Verdict.Close;
        }

        if (_state == State.WaitingForCer && _time.GetElapsedTime(_connectedAt, now) >= _options.CerTimeout)
        {
            _closeReason = "no CER before Diameter:CerTimeout";
            LogViolation(_closeReason);
            return Verdict.Close;
        }

        if (silence >= _options.IdleTimeout)
        {
            _closeReason = $"silent for {silence:g} (watchdog failure, RFC 3539)";
            return Verdict.Close;
        }

        if (_state == State.Open && silence >= _options.WatchdogInterval && !_watchdogPending)
        {
            Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(0, _identity));
            Commit(BaseMessages.WriteDwr(destination, _identity, _nextHopByHop++, _nextEndToEnd++));
            _watchdogPending = true;
            NodeLog.WatchdogSent(_services.Logger, _peerHost, silence);
        }
        return Verdict.Continue;
    }

    // Runs on a timer thread: only decides whether the loop needs waking, never touches the pipes' data.
    private void OnTick()
    {
        if (_disconnectRequested || _state != State.Open)
        {
            _input.CancelPendingRead();
            return;
        }
        long now = _time.GetTimestamp();
        TimeSpan silence = _time.GetElapsedTime(Volatile.Read(ref _lastReceived), now);
        if ((silence >= _options.WatchdogInterval && !_watchdogPending) || silence >= _options.IdleTimeout || FrameOverdue(now))
            _input.CancelPendingRead();
    }

    /// <summary>
    /// Starts the frame clock when a batch leaves part of a frame behind (again when that part belongs to a frame newer
    /// than the one timed so far) and stops it when nothing is left over. Every received byte resets the idle timeout,
    /// so only this bounds a peer that trickles a frame a byte at a time.
    /// </summary>
    private void TrackPartialFrame(bool partial, bool newFrame, long received)
    {
        if (!partial)
            Volatile.Write(ref _frameStarted, 0);
        else if (newFrame || Volatile.Read(ref _frameStarted) == 0)
            Volatile.Write(ref _frameStarted, received);
    }

    private bool FrameOverdue(long now)
    {
        long started = Volatile.Read(ref _frameStarted);
        return started != 0 && _time.GetElapsedTime(started, now) >= _options.FrameTimeout;
    }

    private TimeSpan TickInterval()
    {
        TimeSpan shortest = new[] { _options.WatchdogInterval, _options.CerTimeout, _options.DisconnectTimeout, _options.FrameTimeout }.Min();
        long ticks = Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks);
        return TimeSpan.FromTicks(ticks);
    }

    private void WriteProtocolError(ReadOnlySpan<byte> request, uint resultCode)
    {
        Span<byte> destination = _output.GetSpan(BaseMessages.MaxAnswerLength(request.Length, _identity));
        Commit(BaseMessages.WriteProtocolErrorAnswer(destination, request, _identity, resultCode));
    }

    private void Commit(int written)
    {
        _output.Advance(written);
        _outputPending = true;
    }
}
