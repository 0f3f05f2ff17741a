using ImeiEir.Core;

namespace ImeiEir.Sync.Tests;

/// <summary>
/// The node's reporter against the fake registry: what a batch looks like on the wire, and what happens to
/// sightings while the registry is down, refusing, or the node holds more than it may.
/// </summary>
public class SightingReporterTests
{
    private const string NodeName = "eir-test-1";

    private static readonly uint T0 = (uint)new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static ReporterSetup Options(Uri url, int maxPending = 1_000, int batchSize = 10_000) => new(new SightingsOptions
    {
        MaxPending = maxPending,
        BatchSize = batchSize,
        FlushInterval = TimeSpan.FromMilliseconds(20),
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(100),
    }, new RegistryLink(url, FakeRegistry.Token));

    /// <summary>What a reporter is started with: its options and the registry it reports to.</summary>
    private sealed record ReporterSetup(SightingsOptions Options, RegistryLink Registry);

    private static Sighting S(long serial, uint seen, string imsi = "401011234567890", SightingKind kind = SightingKind.FirstSeen)
    {
        PackedImsi packed = PackedImsi.None;
        if (imsi.Length > 0) Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out packed), Is.True, imsi);
        return new Sighting(35_000_000_000_000UL + (ulong)serial, packed, seen, kind);
    }

    /// <summary>A running reporter with its queue, HTTP client and log; stopped (bounded) on dispose.</summary>
    private sealed class Reporter : IAsyncDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
        private bool _started;

        public Reporter(ReporterSetup setup, int queueCapacity = 1024)
        {
            Queue = new SightingQueue(queueCapacity);
            Service = new SightingReporter(setup.Options, setup.Registry, NodeName, Queue, _http, TimeProvider.System, Log);
        }

        public SightingQueue Queue { get; }

        public TestLogger<SightingReporter> Log { get; } = new();

        public SightingReporter Service { get; }

        public async Task<Reporter> StartAsync()
        {
            await Service.StartAsync(CancellationToken.None);
            _started = true;
            return this;
        }

        public void Enqueue(params Sighting[] sightings)
        {
            foreach (Sighting s in sightings) Assert.That(Queue.TryEnqueue(s), Is.True);
        }

        public async ValueTask DisposeAsync()
        {
            if (_started)
            {
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Service.StopAsync(stopping.Token).WaitAsync(TimeSpan.FromSeconds(10));
            }
            Service.Dispose();
            _http.Dispose();
        }
    }

    [Test, CancelAfter(20_000)]
    public async Task Sightings_arrive_as_a_decodable_batch_with_the_token_the_node_and_the_content_type()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        await using Reporter reporter = await new Reporter(Options(registry.Url)).StartAsync();
        Sighting[] sent =
        [
            S(1, T0),
            S(2, T0 + 1, imsi: "00101000000012", kind: SightingKind.GreyAttach),   // leading zeros
            S(3, T0 + 2, imsi: "", kind: SightingKind.BlackAttach),               // no IMSI known
        ];
        reporter.Enqueue(sent);

        await Wait.UntilAsync(() => registry.AcceptedSightings.Length == 3, "three sightings at the registry");
        await Wait.UntilAsync(() => reporter.Service.Reported == 3, "Reported to count them");

        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(sent));
        foreach (SightingPost post in registry.SightingPosts)
        {
            Assert.That(post.Authorization, Is.EqualTo("Bearer " + FakeRegistry.Token));
            Assert.That(post.Node, Is.EqualTo(NodeName));
            Assert.That(post.ContentType, Is.EqualTo("application/vnd.imeieir.sightings"));
        }
        Assert.That(registry.AcceptedSightings.Single(s => s.Kind == SightingKind.GreyAttach).Imsi.ToString(), Is.EqualTo("00101000000012"));
        Assert.That((reporter.Service.FailedAttempts, reporter.Service.Rejected, reporter.Service.Dropped, reporter.Service.Queued), Is.EqualTo((0L, 0L, 0L, 0)));
    }

    [TestCase(false), TestCase(true), CancelAfter(20_000)]
    public async Task Sightings_that_fail_at_the_followed_registry_go_to_the_next_one_and_the_node_follows_it(bool failingWith503)
    {
        await using FakeRegistry live = await FakeRegistry.StartAsync();
        await using FakeRegistry failing = await FakeRegistry.StartAsync();
        failing.SightingsStatus = 503;
        Uri first = failingWith503 ? failing.Url : new Uri($"http://127.0.0.1:{FakeRegistry.FreePort()}/");
        ReporterSetup setup = Options(first) with { Registry = RegistryLink.Parse($"{first},{live.Url}", FakeRegistry.Token) };
        await using Reporter reporter = await new Reporter(setup).StartAsync();
        Sighting[] sent = [S(1, T0), S(2, T0 + 1)];
        reporter.Enqueue(sent);

        await Wait.UntilAsync(() => reporter.Service.Reported == 2, "both reported");
        Assert.Multiple(() =>
        {
            Assert.That(live.AcceptedSightings, Is.EquivalentTo(sent));
            Assert.That(reporter.Service.FailedAttempts, Is.EqualTo(1), "one failure at the first registry, then the second took them");
            Assert.That(setup.Registry.Url, Is.EqualTo(live.Url), "the feed and TAC polling share the link: they follow the second too");
        });
    }

    [Test, CancelAfter(20_000)]
    public async Task Batches_hold_at_most_BatchSize_sightings()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        await using var reporter = new Reporter(Options(registry.Url, batchSize: 3));
        Sighting[] sent = Enumerable.Range(1, 7).Select(i => S(i, T0 + (uint)i)).ToArray();
        reporter.Enqueue(sent);   // all waiting before the reporter starts
        await reporter.StartAsync();

        await Wait.UntilAsync(() => reporter.Service.Reported == 7, "seven reported");
        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(sent));
        Assert.That(registry.SightingPosts.Select(p => p.Sightings.Length), Is.EqualTo(new[] { 3, 3, 1 }));
    }

    [Test, CancelAfter(20_000)]
    public async Task While_the_registry_is_unreachable_sightings_are_kept_and_arrive_once_it_is_up_duplicates_collapsed()
    {
        int port = FakeRegistry.FreePort();
        await using Reporter reporter = await new Reporter(Options(new Uri($"http://127.0.0.1:{port}/"))).StartAsync();
        reporter.Enqueue(
            S(1, T0 + 50),
            S(1, T0 + 10),                                         // same IMEI, IMSI, kind: earlier, kept
            S(1, T0 + 70),                                         // later: collapses into the one above
            S(1, T0 + 60, imsi: "401019999999999"),                // another IMSI: its own sighting
            S(1, T0 + 60, kind: SightingKind.GreyAttach),          // another kind: its own sighting
            S(2, T0 + 20));

        await Wait.UntilAsync(() => reporter.Service.FailedAttempts >= 3, "three failed attempts (connection refused)");
        Assert.That(reporter.Service.Reported, Is.Zero);
        Assert.That(reporter.Service.Queued, Is.EqualTo(4), "six sightings, four distinct (IMEI, IMSI, kind)");
        Assert.That(reporter.Service.Dropped, Is.Zero);

        await using FakeRegistry registry = await FakeRegistry.StartAsync(port);
        await Wait.UntilAsync(() => reporter.Service.Reported == 4, "the kept sightings to be reported");

        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(new[]
        {
            S(1, T0 + 10), S(1, T0 + 60, imsi: "401019999999999"), S(1, T0 + 60, kind: SightingKind.GreyAttach), S(2, T0 + 20),
        }));
        Assert.That(reporter.Service.Queued, Is.Zero);
        Assert.That(reporter.Log.Count(3020), Is.GreaterThanOrEqualTo(3), "each failed attempt is logged (SightingsRetrying)");
    }

    [Test, CancelAfter(20_000)]
    public async Task A_503_is_a_failed_attempt_the_same_sightings_are_sent_again_and_arrive_once()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SightingsStatus = 503;
        await using Reporter reporter = await new Reporter(Options(registry.Url)).StartAsync();
        Sighting[] sent = [S(1, T0), S(2, T0 + 1)];
        reporter.Enqueue(sent);

        await Wait.UntilAsync(() => reporter.Service.FailedAttempts >= 2 && registry.SightingPosts.Count >= 2, "two refused attempts");
        Assert.That((reporter.Service.Reported, reporter.Service.Rejected, reporter.Service.Queued), Is.EqualTo((0L, 0L, 2)));
        Assert.That(registry.SightingPosts.Take(2).Select(p => (p.Status, p.Sightings.Length)), Is.All.EqualTo((503, 2)));

        registry.SightingsStatus = null;
        await Wait.UntilAsync(() => reporter.Service.Reported == 2, "both reported");
        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(sent), "each arrives once");
        Assert.That(registry.SightingPosts.Last().Status, Is.EqualTo(200));
        Assert.That(reporter.Service.Queued, Is.Zero);
    }

    [Test, CancelAfter(20_000)]
    public async Task A_400_rejects_the_batch_and_later_sightings_still_flow()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SightingsStatus = 400;
        await using Reporter reporter = await new Reporter(Options(registry.Url)).StartAsync();
        reporter.Enqueue(S(1, T0), S(2, T0), S(3, T0));

        await Wait.UntilAsync(() => reporter.Service.Rejected == 3, "the batch of three rejected");
        Assert.That((reporter.Service.Reported, reporter.Service.FailedAttempts, reporter.Service.Queued), Is.EqualTo((0L, 0L, 0)),
            "a refused batch is not retried: the same bytes would be refused again");
        Assert.That(reporter.Log.Count(3021), Is.GreaterThanOrEqualTo(1), "logged (SightingsRejected)");

        registry.SightingsStatus = null;
        reporter.Enqueue(S(4, T0 + 5), S(5, T0 + 6));
        await Wait.UntilAsync(() => reporter.Service.Reported == 2, "the later sightings reported");
        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(new[] { S(4, T0 + 5), S(5, T0 + 6) }), "the rejected ones are not sent again");
        Assert.That(reporter.Service.Rejected, Is.EqualTo(3));
    }

    [Test, CancelAfter(20_000)]
    public async Task Past_MaxPending_new_sightings_are_dropped_and_counted_exactly()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        registry.SightingsStatus = 503;
        await using Reporter reporter = await new Reporter(Options(registry.Url, maxPending: 4)).StartAsync();

        // Ten distinct sightings: the first four (FIFO) are held, six are dropped; then two later duplicates of held
        // ones, which only update what is held and are not drops.
        reporter.Enqueue(Enumerable.Range(0, 10).Select(i => S(i, T0 + 100 + (uint)i)).ToArray());
        reporter.Enqueue(S(0, T0 + 1), S(1, T0 + 500));

        await Wait.UntilAsync(() => reporter.Service.Dropped == 6 && reporter.Queue.Count == 0, "six drops");
        Assert.That(reporter.Service.Queued, Is.EqualTo(4));

        registry.SightingsStatus = null;
        await Wait.UntilAsync(() => reporter.Service.Reported == 4, "the four held ones reported");
        Assert.That(registry.AcceptedSightings, Is.EquivalentTo(new[] { S(0, T0 + 1), S(1, T0 + 101), S(2, T0 + 102), S(3, T0 + 103) }));
        Assert.That(reporter.Service.Dropped, Is.EqualTo(6));
        Assert.That(reporter.Service.Queued, Is.Zero);
    }

    [Test, CancelAfter(20_000)]
    public async Task A_full_queue_counts_as_dropped_and_the_rest_arrive()
    {
        await using FakeRegistry registry = await FakeRegistry.StartAsync();
        await using var reporter = new Reporter(Options(registry.Url), queueCapacity: 4);
        bool[] taken = Enumerable.Range(1, 6).Select(i => reporter.Queue.TryEnqueue(S(i, T0))).ToArray();
        Assert.That(taken, Is.EqualTo(new[] { true, true, true, true, false, false }));
        Assert.That((reporter.Service.Dropped, reporter.Service.Queued), Is.EqualTo((2L, 4)));

        await reporter.StartAsync();
        await Wait.UntilAsync(() => reporter.Service.Reported == 4, "the four queued reported");
        Assert.That(registry.AcceptedSightings.Select(s => s.ImeiKey - 35_000_000_000_000UL), Is.EquivalentTo(new ulong[] { 1, 2, 3, 4 }));
        Assert.That(reporter.Service.Dropped, Is.EqualTo(2));
    }

    [Test, CancelAfter(20_000)]
    public async Task Stopping_while_the_registry_is_down_is_prompt()
    {
        int port = FakeRegistry.FreePort();
        var reporter = await new Reporter(Options(new Uri($"http://127.0.0.1:{port}/"))).StartAsync();
        reporter.Enqueue(S(1, T0));
        await Wait.UntilAsync(() => reporter.Service.FailedAttempts >= 1, "a failed attempt");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await reporter.DisposeAsync();
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    // ---------------------------------------------------------------- options

    private static readonly RegistryLink ValidRegistry = new(new Uri("http://registry:8080/"), "t");

    [Test]
    public void Defaults_are_valid_and_documented()
    {
        var options = new SightingsOptions();
        Assert.That(options.Validate(), Is.Empty);
        Assert.That(ValidRegistry.Validate("Sightings"), Is.Empty);
        Assert.That((options.QueueCapacity, options.AttachFilterSlots, options.MaxPending, options.BatchSize), Is.EqualTo((65_536, 4_194_304, 1_000_000, 10_000)));
        Assert.That((options.FlushInterval, options.InitialBackoff, options.MaxBackoff),
            Is.EqualTo((TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30))));
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        RegistryLink valid = ValidRegistry;
        yield return new TestCaseData(new SightingsOptions(), new RegistryLink(new Uri("ftp://registry/"), "t"), "Sightings:RegistryUrl: ");
        yield return new TestCaseData(new SightingsOptions(), new RegistryLink(new Uri("registry/v1", UriKind.Relative), "t"), "Sightings:RegistryUrl: ");
        yield return new TestCaseData(new SightingsOptions(), new RegistryLink(valid.Url, " "), "Sightings:ReaderToken: ");
        yield return new TestCaseData(new SightingsOptions { MaxPending = 0 }, valid, "Sightings:MaxPending: must be at least 1, got 0");
        yield return new TestCaseData(new SightingsOptions { BatchSize = 0 }, valid, "Sightings:BatchSize: must be 1 to 100000, got 0");
        yield return new TestCaseData(new SightingsOptions { BatchSize = 100_001 }, valid, "Sightings:BatchSize: must be 1 to 100000, got 100001");
        yield return new TestCaseData(new SightingsOptions { FlushInterval = TimeSpan.Zero }, valid, "Sightings:FlushInterval: ");
        yield return new TestCaseData(new SightingsOptions { InitialBackoff = TimeSpan.FromMilliseconds(-1) }, valid, "Sightings:InitialBackoff: ");
        yield return new TestCaseData(new SightingsOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(1) }, valid, "Sightings:MaxBackoff: ");
        yield return new TestCaseData(new SightingsOptions { QueueCapacity = 1 }, valid, "Sightings:QueueCapacity: must be 2 to 16777216, got 1");
        yield return new TestCaseData(new SightingsOptions { AttachFilterSlots = 1 << 29 }, valid, "Sightings:AttachFilterSlots: must be 2 to 268435456, got 536870912");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void A_bad_option_is_named_by_its_key_and_the_reporter_refuses_it(SightingsOptions options, RegistryLink registry, string expected)
    {
        IReadOnlyList<string> problems = [.. options.Validate(), .. registry.Validate("Sightings")];
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.StartWith(expected));

        using var http = new HttpClient();
        Assert.That(() => new SightingReporter(options, registry, "eir", new SightingQueue(4), http, TimeProvider.System, new TestLogger<SightingReporter>()),
            Throws.ArgumentException.With.Message.Contains(problems[0]));
    }

    [Test]
    public void The_biggest_allowed_batch_is_the_registrys_limit()
    {
        // The registry takes at most 100,000 sightings a request (RegistryEndpoints.MaxSightingsPerRequest).
        var options = new SightingsOptions { BatchSize = 100_000, MaxPending = 1 };
        Assert.That(options.Validate(), Is.Empty);
    }
}
