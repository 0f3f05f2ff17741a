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

    [Test]
    public void Several_registry_urls_are_taken_comma_separated_in_order_and_the_first_is_followed()
    {
        RegistryLink link = RegistryLink.Parse("http://127.0.0.1:8700, https://127.0.0.1:8701/prefix/", "t");
        Assert.That(link.Urls.Select(u => u.ToString()), Is.EqualTo(new[] { "http://127.0.0.1:8700/", "https://127.0.0.1:8701/prefix/" }));
        Assert.That(link.Url, Is.EqualTo(link.Urls[0]));
        Assert.That(link.Failed(link.Urls[1], "not the one followed"), Is.False, "a failure of a registry not followed moves nothing");
        Assert.That(link.Failed(link.Urls[0], "down"), Is.True);
        Assert.That(link.Failed(link.Urls[0], "the same failure seen by another user"), Is.False, "one failure moves once");
        Assert.That((link.Url, link.Switches), Is.EqualTo((link.Urls[1], 1L)));
        Assert.That(link.Failed(link.Urls[1], "down too"), Is.True);
        Assert.That(link.Url, Is.EqualTo(link.Urls[0]), "round and round");
    }

    [TestCase("http://127.0.0.1:8700,ftp://127.0.0.1:8701", "'ftp://127.0.0.1:8701' is not an absolute http:// or https:// URL")]
    [TestCase("http://127.0.0.1:8700,,http://127.0.0.1:8701", "an empty entry")]
    [TestCase("http://127.0.0.1:8700,http://127.0.0.1:8700/", "given twice")]
    [TestCase(" ", "no URL given")]
    public void A_bad_registry_url_list_is_one_line_naming_the_key_and_the_entry(string urls, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => RegistryLink.Parse(urls, "t"));
        string line = error!.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0];
        Assert.That(line, Does.StartWith("Registry:Url: ").And.Contain(problem));
    }
}
