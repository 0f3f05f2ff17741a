using System.Net;
using System.Net.Sockets;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>A blocking S13 client playing the MME over real TCP: CER once, then one ECR at a time.</summary>
internal sealed class S13Client : IDisposable
{
    private readonly Socket _socket;
    private readonly LocalIdentity _identity = new("mme.test", "test.realm", IPAddress.Loopback);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private uint _hopByHop = 1;
    private uint _endToEnd = 1;

    public S13Client(IPEndPoint server)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000 };
        _socket.Connect(server);
        Send(BaseMessages.WriteCer(_buffer, _identity, _hopByHop++, _endToEnd++));
        byte[] cea = Receive();
        if (!BaseMessages.TryParseCea(cea, out CeaView view) || view.ResultCode != ResultCodes.Success)
            throw new InvalidOperationException("the capabilities exchange failed");
    }

    /// <summary>Sends one ECR; returns (Result-Code, Experimental-Result-Code, Equipment-Status or -1).</summary>
    public (uint Result, uint Experimental, int Status) Check(string imei, string? imsi = null)
    {
        byte[] session = Encoding.ASCII.GetBytes($"mme.test;{_endToEnd}");
        int length = S13Messages.WriteEcr(_buffer, _identity, session, "eir.realm"u8, ReadOnlySpan<byte>.Empty,
            Encoding.ASCII.GetBytes(imei), ReadOnlySpan<byte>.Empty, Encoding.ASCII.GetBytes(imsi ?? ""), _hopByHop++, _endToEnd++);
        Send(length);
        byte[] answer = Receive();
        if (S13Messages.TryParseEca(answer, out EcaView eca))
            return (eca.ResultCode, eca.ExperimentalResultCode, eca.EquipmentStatus);
        if (BaseMessages.TryGetResultCode(answer, out uint code))
            return (code, 0, -1);
        throw new InvalidOperationException("the answer could not be parsed");
    }

    public void Dispose() => _socket.Dispose();

    private void Send(int length) => _socket.Send(_buffer.AsSpan(0, length));

    private byte[] Receive() => DiameterFraming.Receive(_socket);
}
