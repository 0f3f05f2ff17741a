using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The answers to broken peers, decoded by Wireshark's Diameter dissector: the CEA 5004 for a forged Origin-Host
/// (with the offending AVP as Failed-AVP) and the 5015 for a request whose length is not a multiple of 4 are
/// well-formed Diameter, whatever the requests were.
/// </summary>
[TestFixture]
public sealed class TsharkErrorAnswerTests
{
    private static readonly LocalIdentity Mme = new("mme.tshark.test", "tshark.test", IPAddress.Loopback);
    private ServerProcess? _server;
    private string? _directory;
    private IReadOnlyList<DecodedMessage> _messages = [];
    private IReadOnlyList<string> _problems = [];

    [OneTimeSetUp]
    public void CaptureTheErrors()
    {
        TestEnvironment.RequireTools("tshark");
        _directory = TestEnvironment.NewTempDirectory("pcap-errors");
        _server = ServerProcess.Start();
        string file = Path.Combine(_directory, "errors.pcapng");
        using (TsharkCapture capture = TsharkCapture.Start(_server.Port, file))
        {
            capture.WaitUntilLive(_server.Port, TimeSpan.FromSeconds(30));
            using (Socket forged = Connect())
            {
                byte[] cer = new byte[1024];
                int length = BaseMessages.WriteCer(cer, new LocalIdentity("mme.test.FORGED", "tshark.test", IPAddress.Loopback), 1, 1);
                // Same length, one '.' made a newline: the CER is well-formed Diameter, its Origin-Host is not an identity.
                int dot = cer.AsSpan(0, length).IndexOf("mme.test.FORGED"u8) + "mme.test".Length;
                cer[dot] = (byte)'\n';
                forged.Send(cer.AsSpan(0, length));
                ReadUntilClosed(forged);
            }

            using (Socket peer = Connect())
            {
                byte[] cer = new byte[1024];
                peer.Send(cer.AsSpan(0, BaseMessages.WriteCer(cer, Mme, 2, 2)));
                byte[] dwr = new byte[1024];
                int length = BaseMessages.WriteDwr(dwr, Mme, 3, 3);
                BinaryPrimitives.WriteUInt32BigEndian(dwr, (1u << 24) | (uint)(length + 2));
                peer.Send(dwr.AsSpan(0, length + 2));
                ReadUntilClosed(peer);
            }

            capture.WaitForEveryConnectionClosed(TimeSpan.FromSeconds(30));
            capture.Stop();
        }
        _problems = TsharkCapture.Problems(file, _server.Port, serverOnly: true);
        _messages = TsharkCapture.Decode(file, _server.Port);
        TestContext.Progress.WriteLine(string.Join('\n', _messages));
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        _server?.Dispose();
        TestEnvironment.DeleteQuietly(_directory);
    }

    private string Diagnostics => $"\n--- decoded ---\n{string.Join('\n', _messages)}\n--- server ---\n{_server?.Output}";

    [Test]
    public void The_forged_origin_host_gets_a_CEA_5004_that_decodes_cleanly()
    {
        Assert.That(_messages.Where(m => m.Name == "CEA").Select(m => m.ResultCode), Does.Contain((int?)5004), Diagnostics);
        Assert.That(_problems, Is.Empty, "tshark flagged an answer of the server:" + Diagnostics);
    }

    [Test]
    public void The_length_not_a_multiple_of_4_gets_a_5015_answer_that_decodes_cleanly()
    {
        DecodedMessage? answer = _messages.SingleOrDefault(m => m.CommandCode == 280 && !m.IsRequest);
        Assert.That(answer, Is.Not.Null, Diagnostics);
        Assert.That((answer!.ResultCode, answer.IsError, answer.HopByHop), Is.EqualTo(((int?)5015, false, "0x00000003")), Diagnostics);
        Assert.That(_problems, Is.Empty, "tshark flagged an answer of the server:" + Diagnostics);
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 20_000 };
        socket.Connect(IPAddress.Loopback, _server!.Port);
        return socket;
    }

    // The server answers, then closes: everything up to the FIN is read so the whole exchange is on the wire.
    private static void ReadUntilClosed(Socket socket)
    {
        byte[] buffer = new byte[4096];
        while (socket.Receive(buffer) > 0)
        {
        }
    }
}
