using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirCtl;

/// <summary>The answer to one ME-Identity-Check, as eirctl reports it.</summary>
internal sealed record CheckAnswer(uint ResultCode, uint ExperimentalResultCode, int EquipmentStatus, string PeerHost, TimeSpan RoundTrip);

/// <summary>
/// A one-shot S13 client playing the MME: CER, one ECR, DPR, with the codec the server uses. Blocking and
/// simple on purpose: it runs once per command, so clarity beats throughput here.
/// </summary>
internal sealed class DiameterProbe : IDisposable
{
    private readonly Socket _socket;
    private readonly LocalIdentity _identity;
    private readonly TimeSpan _timeout;
    private readonly byte[] _receive = new byte[128 * 1024];
    private int _filled;
    private uint _hopByHop = (uint)Random.Shared.Next();
    private uint _endToEnd = (uint)Random.Shared.Next();

    private DiameterProbe(Socket socket, LocalIdentity identity, TimeSpan timeout)
    {
        _socket = socket;
        _identity = identity;
        _timeout = timeout;
    }

    public string PeerHost { get; private set; } = "";

    /// <summary>Connects and completes the capabilities exchange; throws <see cref="ProbeException"/> on failure.</summary>
    public static DiameterProbe Connect(IPEndPoint target, string originHost, string originRealm, TimeSpan timeout, string? shownAs = null)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            socket.ConnectAsync(target, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new ProbeException($"cannot connect to {shownAs ?? target.ToString()}: {(e is SocketException se ? se.SocketErrorCode.ToString() : "timed out")}");
        }
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;

        var probe = new DiameterProbe(socket, new LocalIdentity(originHost, originRealm, ((IPEndPoint)socket.LocalEndPoint!).Address), timeout);
        try
        {
            probe.Send((span, p) => BaseMessages.WriteCer(span, p._identity, p._hopByHop++, p._endToEnd++));
            byte[] cea = probe.ReceiveAnswer(CommandCodes.CapabilitiesExchange);
            if (!BaseMessages.TryParseCea(cea, out CeaView view))
                throw new ProbeException("the peer's CEA could not be parsed");
            probe.PeerHost = Encoding.UTF8.GetString(view.OriginHost);
            if (view.ResultCode != ResultCodes.Success)
                throw new ProbeException($"capabilities exchange refused: Result-Code {view.ResultCode} ({ResultCodeNames.Describe(view.ResultCode)})");
            return probe;
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    /// <summary>Sends one ECR and waits for its ECA.</summary>
    public CheckAnswer Check(string imei, string? imsi, string destinationRealm, string? destinationHost)
    {
        // An MME sends the 14 IMEI digits and the software version apart (TS 29.272 §7.3.2); split an IMEISV so.
        string imeiDigits = imei, softwareVersion = "";
        if (imei.Length == 16 && imei.All(char.IsAsciiDigit))
            (imeiDigits, softwareVersion) = (imei[..14], imei[14..]);

        byte[] sessionId = Encoding.UTF8.GetBytes($"{_identity.OriginHost};{Environment.ProcessId};{_endToEnd}");
        var started = Stopwatch.GetTimestamp();
        Send((span, p) => S13Messages.WriteEcr(span, p._identity, sessionId, Encoding.UTF8.GetBytes(destinationRealm),
            Encoding.UTF8.GetBytes(destinationHost ?? ""), Encoding.UTF8.GetBytes(imeiDigits), Encoding.UTF8.GetBytes(softwareVersion),
            Encoding.UTF8.GetBytes(imsi ?? ""), p._hopByHop++, p._endToEnd++));
        byte[] eca = ReceiveAnswer(CommandCodes.MeIdentityCheck);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

        if (!S13Messages.TryParseEca(eca, out EcaView view))
        {
            // A protocol error (E bit) uses the generic answer-message format; still report its Result-Code.
            if (BaseMessages.TryGetResultCode(eca, out uint code))
                return new CheckAnswer(code, 0, -1, PeerHost, elapsed);
            throw new ProbeException("the ECA could not be parsed");
        }
        return new CheckAnswer(view.ResultCode, view.ExperimentalResultCode, view.EquipmentStatus, PeerHost, elapsed);
    }

    /// <summary>Says goodbye with DPR and waits briefly for DPA (RFC 6733 §5.4).</summary>
    public void Disconnect()
    {
        try
        {
            Send((span, p) => BaseMessages.WriteDpr(span, p._identity, p._hopByHop++, p._endToEnd++, disconnectCause: 2));
            ReceiveAnswer(CommandCodes.DisconnectPeer);
        }
        catch (ProbeException)
        {
            // The answer we came for is already printed; a peer that closes without DPA is not our failure.
        }
    }

    public void Dispose() => _socket.Dispose();

    private delegate int MessageWrite(Span<byte> destination, DiameterProbe probe);

    private void Send(MessageWrite write)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int length = write(buffer, this);
            _socket.Send(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Reads frames until the answer to our command arrives; a DWR from the server meanwhile is answered.
    private byte[] ReceiveAnswer(uint commandCode)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_receive, 0, _filled);
            FrameStatus status = FrameScanner.TryScan(sequence, _receive.Length, out DiameterHeader header, out FrameError error);
            if (status == FrameStatus.Invalid)
                throw new ProbeException($"the peer sent an undelimitable frame ({error})");
            if (status == FrameStatus.Complete)
            {
                byte[] message = _receive.AsSpan(0, header.MessageLength).ToArray();
                _receive.AsSpan(header.MessageLength, _filled - header.MessageLength).CopyTo(_receive);
                _filled -= header.MessageLength;
                if (header.IsRequest && header.CommandCode == CommandCodes.DeviceWatchdog)
                {
                    Send((span, p) => BaseMessages.WriteDwa(span, header, p._identity));
                    continue;
                }
                if (!header.IsRequest && header.CommandCode == commandCode)
                    return message;
                continue;
            }

            if (Stopwatch.GetTimestamp() > deadline)
                throw new ProbeException($"no answer to command {commandCode} within {_timeout.TotalSeconds:0.#} s");
            int read;
            try
            {
                read = _socket.Receive(_receive.AsSpan(_filled));
            }
            catch (SocketException e)
            {
                throw new ProbeException(e.SocketErrorCode == SocketError.TimedOut
                    ? $"no answer to command {commandCode} within {_timeout.TotalSeconds:0.#} s"
                    : $"connection failed: {e.SocketErrorCode}");
            }
            if (read == 0)
                throw new ProbeException($"the peer closed the connection before answering command {commandCode}");
            _filled += read;
        }
    }
}

/// <summary>A failure eirctl reports in one line.</summary>
internal sealed class ProbeException(string message) : Exception(message);
