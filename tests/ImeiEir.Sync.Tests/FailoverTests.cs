using ImeiEir.Core;

namespace ImeiEir.Sync.Tests;

/// <summary>
/// A node given several registry URLs (issue 23, item 5) follows one at a time and moves to the next when it fails:
/// it resumes after its last applied sequence on a registry of the same generation, and bootstraps afresh from one of
/// another generation before applying a single change of it. Every registry is a fake on 127.0.0.1 at a port chosen
/// at run time; "unreachable" is a closed 127.0.0.1 port.
/// </summary>
public class FailoverTests
{
    private const int GenerationChangedEvent = 3013;
    private const int RegistrySwitchedEvent = 3015;
    private const int FollowingRegistryEvent = 3016;
    private const int StoreClearedEvent = 3008;
    private const int RegistryLaggingEvent = 3030;
    private const int RegistryBehindEvent = 3007;

    /// <summary>Where the link logs its switches (the host gives it a logger of its own); new for every test.</summary>
    private TestLogger<RegistryLink> _switches = new();

    [SetUp]
    public void NewLog() => _switches = new TestLogger<RegistryLink>();

    private AgentSetup Options(params Uri[] urls)
    {
        var link = RegistryLink.Parse(string.Join(",", urls.Select(u => u.ToString())), FakeRegistry.Token);
        link.UseLogger(_switches, TimeProvider.System);
        return Node.Options(urls[0]) with { Registry = link };
    }

    private static Uri ClosedPort() => new($"http://127.0.0.1:{FakeRegistry.FreePort()}/");

    [Test, CancelAfter(30_000)]
    public async Task A_node_whose_first_registry_url_is_a_closed_port_follows_the_live_one_after_it()
    {
        await using FakeRegistry live = await FakeRegistry.StartAsync();
        live.Append(Model.Changes(300, 100, seed: 40));
        Uri closed = ClosedPort();
        AgentSetup setup = Options(closed, live.Url);

        await using Node node = await Node.StartAsync(setup);
        await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(live.State())));
            Assert.That(node.Agent.Status.Registry, Is.EqualTo(live.Url), "the status names the registry followed");
            Assert.That(node.Agent.Status.RegistrySwitches, Is.EqualTo(1));
            Assert.That(setup.Registry.Url, Is.EqualTo(live.Url), "sightings and TAC polling share the link, so they go there too");
            Assert.That(node.Log.Lines.Single(l => l.EventId == FollowingRegistryEvent).Message, Does.Contain(live.Url.ToString()));
            string switched = _switches.Lines.Single(l => l.EventId == RegistrySwitchedEvent).Message;
            Assert.That(switched, Does.Contain(closed.ToString()).And.Contain(live.Url.ToString()).And.Contain("registry 2 of 2"), switched);
        });
    }

    [Test, CancelAfter(40_000)]
    public async Task A_node_resumes_from_its_sequence_on_another_registry_of_the_same_generation_without_a_snapshot()
    {
        List<Change> history = Model.Changes(1000, 300, seed: 41);
        // Two processes of one registry: the same generation, the same changes; the second is further along.
        await using FakeRegistry second = await FakeRegistry.StartAsync();
        using var directory = new TempDirectory();
        await using Node node = await FollowTheFirstUntilItDiesAsync(history, firstHolds: 600, second, secondHolds: 1000, directory);

        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 1000, State: SyncState.Following },
            "caught up on the second registry", state: () => node.Agent.Status.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(second.Count("snapshot"), Is.Zero, "no bootstrap: the second registry's numbers name the same changes");
            Assert.That(second.Requests.First(), Is.EqualTo("feed after=600"), string.Join(", ", second.Requests));
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(second.State())));
            Assert.That(node.Agent.Status.Registry, Is.EqualTo(second.Url));
            Assert.That(node.Log.Count(GenerationChangedEvent), Is.Zero);
            Assert.That(node.Log.Lines.Where(l => l.EventId == FollowingRegistryEvent).Select(l => l.Message).Last(), Does.Contain(second.Url.ToString()));
        });
    }

    [Test, CancelAfter(40_000)]
    public async Task A_node_moving_to_a_registry_of_another_generation_bootstraps_from_it_before_applying_any_of_its_changes()
    {
        FakeRegistry first = await FakeRegistry.StartAsync();
        await using FakeRegistry other = await FakeRegistry.StartAsync();
        first.Append(Model.Changes(600, 300, seed: 42));
        // Another history, further along: "feed after=600" would be answered with its changes 601..
        other.Append(Model.Changes(900, 300, seed: 43));
        Assert.That(other.Generation, Is.Not.EqualTo(first.Generation));
        RegistryGeneration followed = first.Generation;
        using var directory = new TempDirectory();
        await using Node node = await Node.StartAsync(Options(first.Url, other.Url), directory.Path);
        try
        {
            await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await first.DisposeAsync();
        }

        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 900, State: SyncState.Following } && other.Count("snapshot") == 1,
            "the bootstrap from the other registry", state: () => node.Agent.Status.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(other.State())), "the other registry's state, nothing of the first");
            Assert.That(node.Log.Count(GenerationChangedEvent), Is.EqualTo(1));
            string line = node.Log.Lines.Single(l => l.EventId == GenerationChangedEvent).Message;
            Assert.That(line, Does.Contain(followed.ToString()).And.Contain(other.Generation.ToString()));
            // Told on the feed's first answer from it, while the node still stood where the first registry left it.
            Assert.That(line, Does.Contain("(at sequence 600)"), line);
            Assert.That(_switches.Count(RegistrySwitchedEvent), Is.EqualTo(1));
        });
    }

    [Test, CancelAfter(40_000)]
    public async Task A_node_ahead_of_a_lagging_registry_of_its_generation_moves_on_and_waits_for_it_never_bootstrapping()
    {
        List<Change> history = Model.Changes(1100, 300, seed: 44);
        // Two processes of one registry; the second has not yet tailed the stream past 600 (its 409 "Ahead of the registry").
        await using FakeRegistry lagging = await FakeRegistry.StartAsync();
        using var directory = new TempDirectory();
        await using Node node = await FollowTheFirstUntilItDiesAsync(history, firstHolds: 1000, lagging, secondHolds: 600, directory);

        // The node asks the lagging one (409), then the dead first one, then the lagging one again...
        await Wait.UntilAsync(() => lagging.Count("feed after=1000") >= 3, "three 409s from the lagging registry",
            state: () => string.Join(", ", lagging.Requests));
        Assert.Multiple(() =>
        {
            Assert.That(lagging.Count("snapshot"), Is.Zero, "no bootstrap for a lag");
            Assert.That(node.Agent.LastApplied, Is.EqualTo(1000UL), "the node keeps what it applied");
            Assert.That(node.Store.IsComplete, Is.True, "the node keeps answering");
            Assert.That(node.Log.Count(StoreClearedEvent), Is.Zero);
        });

        // The lagging process catches up (and further changes come): the node resumes after 1000 there.
        lagging.Append(history.Skip(600));
        await Wait.UntilAsync(() => node.Agent.Status is { LastApplied: 1100, State: SyncState.Following },
            "resumed on the registry that caught up", state: () => node.Agent.Status.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(lagging.Count("snapshot"), Is.Zero, "still no bootstrap");
            Assert.That(Model.Digest(node.Store), Is.EqualTo(Model.Digest(lagging.State())));
            Assert.That(node.Log.Count(RegistryLaggingEvent), Is.GreaterThanOrEqualTo(1), "the lag is logged as a lag");
            Assert.That(node.Log.Count(RegistryBehindEvent), Is.Zero, "and not as a registry that lost history");
        });
    }

    /// <summary>
    /// A node following a first registry and then <paramref name="second"/>, two processes of one generation holding
    /// the first <paramref name="firstHolds"/> and <paramref name="secondHolds"/> changes of <paramref name="history"/>:
    /// returned once it caught up on the first, which is then gone.
    /// </summary>
    private async Task<Node> FollowTheFirstUntilItDiesAsync(List<Change> history, int firstHolds, FakeRegistry second, int secondHolds, TempDirectory directory)
    {
        FakeRegistry first = await FakeRegistry.StartAsync();
        try
        {
            second.Generation = first.Generation;
            first.Append(history.Take(firstHolds));
            second.Append(history.Take(secondHolds));
            Node node = await Node.StartAsync(Options(first.Url, second.Url), directory.Path);
            try
            {
                await node.Agent.FirstCatchUp.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.That(node.Agent.LastApplied, Is.EqualTo((ulong)firstHolds));
                return node;
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
