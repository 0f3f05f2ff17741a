using System.Net;
using System.Net.Sockets;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>
/// An MME over real TCP that sends and reads independently, so a test can pipeline thousands of ECRs, stop reading,
/// or reset the connection mid-stream.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    private static readonly LocalIdentity Identity = new("mme.test", "test.realm", IPAddress.Loopback);
    private readonly byte[] _header = new byte[DiameterHeader.Size];

    public RawPeer(IPEndPoint server, int socketBuffer = 0)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 20_000 };
        if (socketBuffer > 0)
        {
            // Fixed small buffers (no autotuning): what the kernel holds for us stays small next to what we send.
            Socket.SendBufferSize = socketBuffer;
            Socket.ReceiveBufferSize = socketBuffer;
        }
        Socket.Connect(server);
    }

    public Socket Socket { get; }

    /// <summary>Sends a CER and returns the CEA's Result-Code.</summary>
    public uint Exchange()
    {
        byte[] cer = new byte[1024];
        Socket.Send(cer.AsSpan(0, BaseMessages.WriteCer(cer, Identity, 1, 1)));
        byte[] cea = Receive();
        return BaseMessages.TryParseCea(cea, out CeaView view) ? view.ResultCode : throw new InvalidOperationException("no CEA");
    }

    /// <summary>ECRs for <paramref name="imeis"/>[i % n] with hop-by-hop identifiers first, first+1, ..., back to back.</summary>
    public static byte[] Ecrs(int count, uint first, params string[] imeis)
    {
        var all = new MemoryStream();
        byte[] one = new byte[512];
        for (int i = 0; i < count; i++)
        {
            uint id = first + (uint)i;
            int length = S13Messages.WriteEcr(one, Identity, Encoding.ASCII.GetBytes($"mme.test;{id}"), "eir.realm"u8,
                ReadOnlySpan<byte>.Empty, Encoding.ASCII.GetBytes(imeis[i % imeis.Length]), ReadOnlySpan<byte>.Empty,
                Encoding.ASCII.GetBytes(Lifecycle.Cluster.HomeImsi), id, id);
            all.Write(one, 0, length);
        }
        return all.ToArray();
    }

    /// <summary>Reads one whole message.</summary>
    public byte[] Receive() => DiameterFraming.Receive(Socket);

    /// <summary>Reads one whole message into <paramref name="scratch"/> without allocating; returns its length.</summary>
    public int ReceiveInto(byte[] scratch) => DiameterFraming.ReceiveInto(Socket, scratch);

    /// <summary>Replies to a DPR with a DPA.</summary>
    public void AnswerDpr(byte[] dpr)
    {
        DiameterHeader.TryRead(dpr, out DiameterHeader header);
        byte[] dpa = new byte[1024];
        Socket.Send(dpa.AsSpan(0, BaseMessages.WriteDpa(dpa, header, Identity)));
    }

    /// <summary>True when the server has closed its side: a read returns end of stream.</summary>
    public bool ServerClosed()
    {
        try
        {
            return Socket.Receive(_header) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>Closes with a TCP reset instead of a FIN, as a crashed or unplugged MME's kernel would.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    public void Dispose() => Socket.Dispose();
}
