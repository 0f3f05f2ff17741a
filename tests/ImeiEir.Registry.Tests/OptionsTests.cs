using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests;

public class OptionsTests
{
    [Test]
    public void Defaults_are_valid() => Assert.That(new RegistryOptions().Validate(), Is.Empty);

    [Test]
    public void Every_bad_value_names_its_key_and_never_echoes_a_token()
    {
        var options = new RegistryOptions
        {
            Url = "ftp://x", Host = "", Port = 70000, AdminToken = "short", ReaderToken = "has a space in it!!",
            HeartbeatInterval = TimeSpan.Zero, MaxDeltaLines = 0, MaxDeltaBytes = 10, ExpectedRecords = 0,
            CheckpointInterval = TimeSpan.Zero,
        };
        string[] problems = options.Validate().ToArray();
        Assert.That(problems.Select(p => p[..p.IndexOf(':', "Registry:".Length)]), Is.EquivalentTo(new[]
        {
            "Registry:Url", "Registry:Host", "Registry:Port", "Registry:AdminToken", "Registry:ReaderToken", "Registry:HeartbeatInterval",
            "Registry:MaxDeltaLines", "Registry:MaxDeltaBytes", "Registry:ExpectedRecords", "Registry:CheckpointInterval",
        }));
        Assert.That(string.Join("\n", problems), Does.Not.Contain("short").And.Not.Contain("has a space"));
    }

    [Test]
    public void Same_admin_and_reader_token_is_refused()
    {
        var options = new RegistryOptions { AdminToken = TestData.AdminToken, ReaderToken = TestData.AdminToken };
        Assert.That(options.Validate().Single(), Does.StartWith("Registry:ReaderToken:"));
    }

    [Test]
    public void Invalid_options_refuse_to_open()
    {
        using var dir = new TempDirectory();
        var e = Assert.ThrowsAsync<ArgumentException>(() => TestData.OpenAsync(dir.Path, TestData.Options(o => o.Port = -1)));
        Assert.That(e!.Message, Does.Contain("Registry:Port"));
    }

    [Test]
    public async Task The_view_is_checkpointed_every_interval()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        RegistryService registry = await TestData.OpenAsync(dir.Path, TestData.Options(o => o.CheckpointInterval = TimeSpan.FromMinutes(5)), time);
        await TestData.PushCsvAsync(registry, $"imei,list,reason\n{TestData.Text(1)},white,verified\n");
        time.Advance(TimeSpan.FromMinutes(5));
        string manifest = Path.Combine(dir.Path, "view", "checkpoint.manifest");
        await Eventually.UntilAsync(() => File.Exists(manifest), TimeSpan.FromSeconds(10), "the checkpoint's manifest");
        registry.DisposeWithoutCheckpoint();

        await using RegistryService reopened = await TestData.OpenAsync(dir.Path);
        Assert.That((reopened.RecoveredViewSequence, reopened.ReplayedAtOpen), Is.EqualTo((1UL, 0UL)));
    }
}
