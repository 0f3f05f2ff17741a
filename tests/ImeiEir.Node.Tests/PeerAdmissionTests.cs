using System.Net;
using ImeiEir.Diameter;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Diameter;
using Microsoft.Extensions.Hosting;

namespace ImeiEir.Node.Tests;

/// <summary>
/// Who gets a connection (issue 22, item 1): sockets without CER wait in a pool of their own, oldest out first, and
/// never take an established peer's slot; Diameter:AllowedPeers turns strangers away with 3010.
/// </summary>
[TestFixture]
public sealed class PeerAdmissionTests
{
    private static readonly IPEndPoint s_remote = new(IPAddress.Loopback, 40000);

    [Test]
    public async Task Connections_without_cer_do_not_count_toward_max_connections()
    {
        using var node = new TestNode(new DiameterOptions { MaxConnections = 2, MaxPendingConnections = 16 });
        var handler = new DiameterConnectionHandler(node.Services, new TestLifetime());
        var silent = new List<PipePeer>();
        try
        {
            for (int i = 0; i < 5; i++)
                silent.Add(new PipePeer(handler, s_remote, $"silent-{i}"));
            await Eventually.UntilAsync(() => node.Services.Admission.PendingConnections == 5, TimeSpan.FromSeconds(10),
                "five silent connections pending");

            await using var first = new PipePeer(handler, s_remote, "mme-1");
            await first.HandshakeAsync();
            await using var second = new PipePeer(handler, s_remote, "mme-2");
            await second.HandshakeAsync();
            Assert.That(node.Services.Admission.EstablishedConnections, Is.EqualTo(2));

            // The limit counts established peers only: a third CER is one too many.
            await using var third = new PipePeer(handler, s_remote, "mme-3");
            await third.SendAsync(third.Cer());
            byte[] answer = await third.ReceiveAsync() ?? throw new AssertionException("no answer to the third CER");
            Assert.That(BaseMessages.TryGetResultCode(answer, out uint code), Is.True);
            Assert.That(code, Is.EqualTo(ResultCodes.TooBusy));
            Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header) && header.IsError, Is.True, "3xxx answers carry the E bit");
            Assert.That(await third.ReceiveAsync(), Is.Null, "closed after 3004");
            Assert.That(node.Services.Admission.EstablishedConnections, Is.EqualTo(2), "a refused CER gives back nothing it did not hold");
        }
        finally
        {
            foreach (PipePeer peer in silent)
                await peer.DisposeAsync();
        }
        Assert.That(node.Services.Admission.PendingConnections, Is.Zero, "every pending slot given back on close");
    }

    [Test]
    public async Task When_the_pending_pool_is_full_the_oldest_connection_without_cer_is_closed()
    {
        using var node = new TestNode(new DiameterOptions { MaxPendingConnections = 3 });
        await using PipePeer oldest = node.Connect(id: "oldest");
        await using PipePeer second = node.Connect(id: "second");
        await using PipePeer third = node.Connect(id: "third");
        Assert.That(oldest.Running.IsCompleted, Is.False);

        await using PipePeer newest = node.Connect(id: "newest");

        Assert.That(await oldest.ReceiveAsync(), Is.Null, "the oldest pending connection is closed");
        Assert.That(oldest.Connection.CloseReason, Does.Contain("MaxPendingConnections"));
        Assert.That(node.Services.Admission.PendingConnections, Is.EqualTo(3));
        // The others are untouched: the next oldest still completes its capabilities exchange, so does the newest.
        await second.HandshakeAsync();
        await newest.HandshakeAsync();
        Assert.That(third.Running.IsCompleted, Is.False);
        Assert.That(node.Services.Admission.PendingConnections, Is.EqualTo(1));
        Assert.That(node.Services.Admission.EstablishedConnections, Is.EqualTo(2));
    }

    [Test]
    public async Task Pending_connections_and_their_evictions_are_published_when_metrics_are_scraped()
    {
        using var node = new TestNode(new DiameterOptions { MaxPendingConnections = 2 });
        await using PipePeer first = node.Connect(id: "first");
        await using PipePeer second = node.Connect(id: "second");
        await using PipePeer third = node.Connect(id: "third"); // pushes "first" out
        Assert.That(await first.ReceiveAsync(), Is.Null, "the oldest pending connection is closed");
        string full = await ScrapeAsync(node);
        await second.HandshakeAsync();
        string afterCer = await ScrapeAsync(node);

        Assert.Multiple(() =>
        {
            Assert.That(Value(full, "imeieir_diameter_pending_connections"), Is.EqualTo(2));
            Assert.That(Value(full, "imeieir_diameter_pending_evicted_total"), Is.EqualTo(1));
            Assert.That(Value(afterCer, "imeieir_diameter_pending_connections"), Is.EqualTo(1), "an answered CER leaves the pool");
            Assert.That(Value(afterCer, "imeieir_diameter_pending_evicted_total"), Is.EqualTo(1));
        });
    }

    private static async Task<string> ScrapeAsync(TestNode node)
    {
        using var text = new MemoryStream();
        await node.Metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private static double? Value(string exposition, string name) =>
        exposition.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();

    [Test]
    public async Task An_established_peer_is_never_evicted_by_new_connections()
    {
        using var node = new TestNode(new DiameterOptions { MaxPendingConnections = 1 });
        await using PipePeer mme = node.Connect(id: "mme");
        await mme.HandshakeAsync();
        await using PipePeer a = node.Connect(id: "a");
        await using PipePeer b = node.Connect(id: "b");

        Assert.That(await a.ReceiveAsync(), Is.Null, "a, pending, made room for b");
        await mme.SendAsync(mme.Dwr());
        Assert.That(await mme.ReceiveAsync(), Is.Not.Null, "the established peer still answers");
    }

    [Test]
    public async Task A_cer_from_a_peer_not_in_the_allow_list_gets_3010_and_the_connection_closes()
    {
        using var node = new TestNode(new DiameterOptions { AllowedPeers = ["10.20.0.0/16", "mme.other"] });
        await using PipePeer stranger = node.Connect(IPAddress.Loopback, "stranger");
        await stranger.SendAsync(stranger.Cer());

        byte[] answer = await stranger.ReceiveAsync() ?? throw new AssertionException("no CEA");
        Assert.That(BaseMessages.TryGetResultCode(answer, out uint code), Is.True);
        Assert.That(code, Is.EqualTo(ResultCodes.UnknownPeer));
        Assert.That(DiameterHeader.TryRead(answer, out DiameterHeader header) && header.IsError, Is.True, "3010 is a protocol error: E bit");
        Assert.That(await stranger.ReceiveAsync(), Is.Null, "closed after 3010");
        Assert.That(stranger.Connection.CloseReason, Does.Contain("AllowedPeers"));
        Assert.That(node.Services.Admission.EstablishedConnections, Is.Zero);
    }

    [TestCase("10.20.0.0/16", "10.20.3.4")]
    [TestCase("10.20.3.4", "::ffff:10.20.3.4")]
    [TestCase("mme.test", "127.0.0.1")]
    [TestCase("MME.Test", "127.0.0.1")]
    [TestCase("192.0.2.1, mme.test", "127.0.0.1")]
    public async Task A_cer_matching_an_allow_list_entry_by_address_or_origin_host_gets_2001(string entry, string from)
    {
        using var node = new TestNode(new DiameterOptions { AllowedPeers = [entry] });
        await using PipePeer mme = node.Connect(IPAddress.Parse(from));
        await mme.HandshakeAsync();
    }

    [TestCase("10.20.0.0/33")]
    [TestCase("10.20.3.4/16")]
    [TestCase("mme..test")]
    [TestCase("mme test")]
    public void A_bad_allow_list_entry_is_a_configuration_error_naming_the_key(string entry)
    {
        string[] problems = [.. new DiameterOptions { AllowedPeers = [entry] }.Validate()];
        Assert.That(problems, Has.Length.EqualTo(1));
        Assert.That(problems[0], Does.StartWith("Diameter:AllowedPeers:").And.Contain(entry));
    }

    private sealed class TestLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
