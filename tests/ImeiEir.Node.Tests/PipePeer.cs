using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using ImeiEir.Diameter;
using ImeiEir.Node.Diameter;
using Microsoft.AspNetCore.Connections;

namespace ImeiEir.Node.Tests;

/// <summary>
/// The MME side of one <see cref="DiameterConnection"/> over in-memory pipes: write raw bytes in, read whole
/// answer frames out. No sockets, so tests control exactly how bytes are split and when time passes.
/// </summary>
internal sealed class PipePeer : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));
    private readonly CancellationTokenSource _stopping = new();
    private uint _hopByHop = 1000;
    private uint _endToEnd = 5000;

    public PipePeer(DiameterServices services, IPAddress? address = null, string id = "test-connection", string remote = "in-memory")
    {
        _connection = new DiameterConnection(new DuplexPipe(_toServer.Reader, _toClient.Writer), services, address, id, remote);
        Running = Task.Run(() => _connection.RunAsync(_stopping.Token));
    }

    /// <summary>
    /// A connection handed to <paramref name="handler"/> as a transport would hand it (the handler builds its own
    /// <see cref="DiameterConnection"/>, so <see cref="Connection"/> is not available).
    /// </summary>
    public PipePeer(DiameterConnectionHandler handler, IPEndPoint remote, string id)
    {
        var context = new DefaultConnectionContext(id, new DuplexPipe(_toServer.Reader, _toClient.Writer),
            new DuplexPipe(_toClient.Reader, _toServer.Writer)) { RemoteEndPoint = remote };
        Running = Task.Run(() => handler.OnConnectedAsync(context));
    }

    public static LocalIdentity Mme { get; } = new("mme.test", "test", IPAddress.Loopback, "pipe-peer");

    private readonly DiameterConnection? _connection;

    public DiameterConnection Connection => _connection ?? throw new InvalidOperationException("a connection made through the handler");

    /// <summary>Completes when the server side of the connection has ended.</summary>
    public Task Running { get; }

    public uint LastHopByHop { get; private set; }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _toServer.Writer.WriteAsync(bytes);
    }

    /// <summary>Sends bytes one at a time, flushing each, so every frame straddles many reads.</summary>
    public async Task SendByteByByteAsync(ReadOnlyMemory<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
            await _toServer.Writer.WriteAsync(bytes.Slice(i, 1));
    }

    public void CloseInput() => _toServer.Writer.Complete();

    /// <summary>Shutdown as the host does it: the stopping token fires.</summary>
    public void SignalShutdown() => _stopping.Cancel();

    public byte[] Cer() => Build(span => BaseMessages.WriteCer(span, Mme, NextHop(), _endToEnd++));

    public byte[] Dwr() => Build(span => BaseMessages.WriteDwr(span, Mme, NextHop(), _endToEnd++));

    public byte[] Dpr() => Build(span => BaseMessages.WriteDpr(span, Mme, NextHop(), _endToEnd++, 2));

    public byte[] Ecr(string imei, string? imsi = null, string softwareVersion = "")
    {
        uint hop = NextHop();
        byte[] session = Encoding.ASCII.GetBytes($"mme.test;1;{hop}");
        return Build(span => S13Messages.WriteEcr(span, Mme, session, "test"u8, "eir.test"u8, Encoding.ASCII.GetBytes(imei),
            Encoding.ASCII.GetBytes(softwareVersion), Encoding.ASCII.GetBytes(imsi ?? ""), hop, _endToEnd++));
    }

    /// <summary>A request of any application/command with no AVPs but Session-Id/Origin-*, for unsupported-command tests.</summary>
    public byte[] BareRequest(uint applicationId, uint commandCode) => Build(span =>
    {
        var writer = new MessageWriter(span);
        writer.WriteHeader(DiameterFlags.Request | DiameterFlags.Proxiable, commandCode, applicationId, NextHop(), _endToEnd++);
        writer.WriteAvp(AvpCodes.SessionId, AvpFlags.Mandatory, 0, "mme.test;bare"u8);
        writer.WriteRaw(Mme.OriginAvps.Span);
        return writer.Finish();
    });

    /// <summary>Reads the next whole message the server wrote, or null when the server closed the connection.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        PipeReader reader = _toClient.Reader;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cts.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            FrameStatus status = FrameScanner.TryScan(buffer, 1 << 20, out DiameterHeader header, out _);
            if (status == FrameStatus.Complete)
            {
                byte[] message = buffer.Slice(0, header.MessageLength).ToArray();
                reader.AdvanceTo(buffer.GetPosition(header.MessageLength));
                return message;
            }
            Assert.That(status, Is.Not.EqualTo(FrameStatus.Invalid), "the server wrote an undelimitable frame");
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                Assert.That(buffer.IsEmpty, Is.True, "the server closed in the middle of a message");
                return null;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Sends CER and asserts CEA 2001.</summary>
    public async Task HandshakeAsync()
    {
        await SendAsync(Cer());
        byte[] cea = await ReceiveAsync() ?? throw new AssertionException("no CEA");
        Assert.That(BaseMessages.TryParseCea(cea, out CeaView view), Is.True);
        Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.Success));
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _toServer.Writer.Complete();
        await Task.WhenAny(Running, Task.Delay(5000));
        _toClient.Reader.Complete();
        _connection?.Dispose();
        _stopping.Dispose();
    }

    private uint NextHop() => LastHopByHop = _hopByHop++;

    private delegate int Writer(Span<byte> span);

    private static byte[] Build(Writer write)
    {
        byte[] buffer = new byte[4096];
        int length = write(buffer);
        return buffer[..length];
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
