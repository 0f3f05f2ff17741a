using ImeiEir.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Sync.Tests;

public class OptionsTests
{
    private static SyncOptions Valid() => new();

    [Test]
    public void Defaults_are_valid()
    {
        SyncOptions options = Valid();
        Assert.Multiple(() =>
        {
            Assert.That(options.Validate(), Is.Empty);
            Assert.That(options.InitialBackoff, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(options.MaxBackoff, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.HeartbeatTimeout, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(options.CheckpointInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.CheckpointEveryChanges, Is.EqualTo(1_000_000));
        });
    }

    [Test]
    public void Every_bad_option_is_named_and_the_agent_refuses_to_start()
    {
        var registry = new RegistryLink(new Uri("ftp://registry/"), " ");
        var options = new SyncOptions
        {
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.FromMilliseconds(-1),
            HeartbeatTimeout = TimeSpan.Zero,
            CheckpointInterval = TimeSpan.Zero,
            CheckpointEveryChanges = 0,
        };
        IReadOnlyList<string> problems = [.. registry.Validate("Sync"), .. options.Validate()];
        Assert.That(problems.Select(p => p[..p.IndexOf(':', 5)]), Is.EquivalentTo(new[]
        {
            "Sync:RegistryUrl", "Sync:ReaderToken", "Sync:InitialBackoff", "Sync:MaxBackoff", "Sync:HeartbeatTimeout",
            "Sync:CheckpointInterval", "Sync:CheckpointEveryChanges",
        }));

        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 16 });
        using var http = new HttpClient();
        var error = Assert.Throws<ArgumentException>(() => new SyncAgent(options, registry, store, http, TimeProvider.System, NullLogger<SyncAgent>.Instance));
        Assert.That(error!.Message, Does.Contain("Sync:ReaderToken"));
    }

    [TestCase(1, 100), TestCase(2, 200), TestCase(3, 400), TestCase(4, 800), TestCase(5, 1000), TestCase(40, 1000), TestCase(int.MaxValue, 1000)]
    public void Back_off_doubles_up_to_the_maximum_with_equal_jitter(int failures, double bound)
    {
        TimeSpan initial = TimeSpan.FromMilliseconds(100), max = TimeSpan.FromSeconds(1);
        Assert.That(Backoff.Delay(initial, max, failures, 0).TotalMilliseconds, Is.EqualTo(bound / 2).Within(0.001));
        Assert.That(Backoff.Delay(initial, max, failures, 0.999999).TotalMilliseconds, Is.EqualTo(bound).Within(0.01));
    }
}
