using System.Text;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// The façade the host runs: open, seed (the initial lists at every start, the demo list only into a brand-new
/// registry), the grey lifecycle's events, the shutdown checkpoint.
/// </summary>
public class CentralRegistryTests
{
    private TempDirectory _dir = null!;
    private RecordingLogger _logger = null!;
    private int _demoOpened;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _logger = new RecordingLogger();
        _demoOpened = 0;
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static string Lists(params long[] serials) =>
        "imei,list,reason\n" + string.Concat(serials.Select(s => $"{TestData.Text(s)},black,stolen\n"));

    private Stream Demo()
    {
        Interlocked.Increment(ref _demoOpened);
        return new MemoryStream(Encoding.UTF8.GetBytes(Lists(900, 901, 902)));
    }

    private CentralRegistry Create(Action<RegistryOptions>? configure = null) =>
        new(TestData.Options(configure), Path.Combine(_dir.Path, "registry"), TimeProvider.System,
            DecisionPolicy.Create(new PolicyOptions()), RegimeClock.System, _logger, Demo);

    private string[] Seeded() => _logger.Lines.Where(l => l.Id.Id == 2).Select(l => l.Message).ToArray();

    [Test]
    public async Task The_initial_lists_are_pushed_at_every_start_and_a_restart_with_the_same_file_appends_nothing()
    {
        string path = Path.Combine(_dir.Path, "lists.csv");
        await File.WriteAllTextAsync(path, Lists(1, 2));

        await using (CentralRegistry registry = Create(o => o.InitialLists = path))
        {
            await registry.StartAsync(CancellationToken.None);
            Assert.That(registry.IsOpen, Is.True);
            Assert.That(registry.Service.LastSequence, Is.EqualTo(2UL));
            Assert.That(registry.Service.TryGet(TestData.Imei(2), out ImeiRecord record), Is.True);
            Assert.That(record.List, Is.EqualTo(ListKind.Black));
            Assert.That(await registry.StopAsync(CancellationToken.None), Is.True);
        }
        await using (CentralRegistry registry = Create(o => o.InitialLists = path))
        {
            await registry.StartAsync(CancellationToken.None);
            Assert.That(registry.Service.LastSequence, Is.EqualTo(2UL));
            await registry.StopAsync(CancellationToken.None);
        }

        Assert.That(Seeded(), Is.EqualTo(new[]
        {
            $"Registry ready at sequence 2; {path}: 2 applied, 0 unchanged",
            $"Registry ready at sequence 2; {path}: 0 applied, 2 unchanged",
        }));
        Assert.That(_demoOpened, Is.Zero, "initial lists replace the demo list");
    }

    [Test]
    public async Task A_brand_new_registry_gets_the_demo_list_once()
    {
        await using (CentralRegistry registry = Create())
        {
            await registry.StartAsync(CancellationToken.None);
            Assert.That(registry.Service.LastSequence, Is.EqualTo(3UL));
        }
        await using (CentralRegistry registry = Create())
        {
            await registry.StartAsync(CancellationToken.None);
            Assert.That(registry.Service.LastSequence, Is.EqualTo(3UL));
        }

        Assert.That(_demoOpened, Is.EqualTo(1));
        Assert.That(Seeded(), Is.EqualTo(new[]
        {
            "Registry ready at sequence 3; embedded demo list: 3 applied, 0 unchanged",
            "Registry ready at sequence 3; no lists to load: 0 applied, 0 unchanged",
        }));
    }

    [Test]
    public async Task Without_the_demo_list_a_new_registry_starts_empty()
    {
        await using CentralRegistry registry = Create(o => o.LoadDemoLists = false);
        await registry.StartAsync(CancellationToken.None);

        Assert.That(registry.Service.LastSequence, Is.Zero);
        Assert.That(_demoOpened, Is.Zero);
        Assert.That(Seeded(), Is.EqualTo(new[] { "Registry ready at sequence 0; no lists to load: 0 applied, 0 unchanged" }));
    }

    [Test]
    public async Task Initial_lists_with_bad_lines_stop_the_start_load_nothing_and_name_every_bad_line()
    {
        string path = Path.Combine(_dir.Path, "lists.csv");
        await File.WriteAllTextAsync(path, $"imei,list,reason\n{TestData.Text(1)},black,stolen\n123,black,stolen\n{TestData.Text(3)},purple,stolen\n");

        await using CentralRegistry registry = Create(o => o.InitialLists = path);
        InitialListsException? error = Assert.ThrowsAsync<InitialListsException>(() => registry.StartAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo($"{path}: 2 problem(s); nothing was loaded"));
        Assert.That(error.Errors, Has.Count.EqualTo(2));
        Assert.That(error.Errors[0], Does.StartWith($"{path}:3: imei '123' is not an IMEI"));
        Assert.That(error.Errors[1], Does.StartWith($"{path}:4: list 'purple' is not a list"));
        Assert.That(registry.Service.LastSequence, Is.Zero);
        Assert.That(registry.IsOpen, Is.False);
    }

    [Test]
    public async Task Recorded_sightings_reach_subscribers_of_the_facade_subscribed_before_the_start()
    {
        await using CentralRegistry registry = Create(o => o.LoadDemoLists = false);
        var reports = new List<SightingReport>();
        registry.SightingsRecorded += reports.Add;
        await registry.StartAsync(CancellationToken.None);

        Assert.That(PackedImsi.TryPack("401011234567890".AsSpan(), out PackedImsi imsi), Is.True);
        uint now = checked((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        SightingReport report = await registry.Intake.RecordAsync([new Sighting(TestData.Imei(7).Key, imsi, now, SightingKind.FirstSeen)], "node-a", CancellationToken.None);

        Assert.That(reports, Is.EqualTo(new[] { report }));
        Assert.That(report.Created, Is.EqualTo(1));
    }

    [Test]
    public async Task A_shutdown_checkpoint_cut_short_by_the_shutdown_timeout_is_reported_not_thrown()
    {
        await using CentralRegistry registry = Create();
        await registry.StartAsync(CancellationToken.None);

        Assert.That(await registry.StopAsync(new CancellationToken(canceled: true)), Is.False);
    }

    [Test]
    public void Before_the_start_the_parts_are_not_there()
    {
        var registry = Create();
        Assert.That(registry.IsOpen, Is.False);
        Assert.That(() => registry.Service, Throws.InvalidOperationException);
        Assert.That(() => registry.Intake, Throws.InvalidOperationException);
        Assert.That(() => registry.Expiry, Throws.InvalidOperationException);
    }
}
