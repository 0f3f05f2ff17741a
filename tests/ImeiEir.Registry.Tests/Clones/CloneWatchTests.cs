using ImeiEir.Core;
using ImeiEir.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Registry.Tests.Clones;

/// <summary>
/// The clone watch on its own: distinct home IMSIs per IMEI within the window make a suspected clone; old pairs slide
/// out; the pairs survive a restart, a compaction and a torn journal tail.
/// </summary>
public sealed class CloneWatchTests
{
    private static readonly DateTimeOffset Day0 = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Imsi1 = "401011000000001", Imsi2 = "401011000000002", Imsi3 = "401011000000003", Imsi4 = "401011000000004";

    private TempDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private CloneWatch _watch = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TempDirectory();
        _time = new FakeTimeProvider(Day0);
        _watch = Open();
    }

    [TearDown]
    public void TearDown()
    {
        _watch.Dispose();
        _directory.Dispose();
    }

    private CloneWatch Open(CloneOptions? options = null) =>
        CloneWatch.Open(Path.Combine(_directory.Path, "clones"), options ?? new CloneOptions(), _time, NullLogger.Instance);

    private static Sighting Pair(long serial, string imsi, DateTimeOffset seen, SightingKind kind = SightingKind.HomeAttach)
    {
        Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out PackedImsi packed), Is.True);
        return new Sighting(TestData.Imei(serial).Key, packed, (uint)seen.ToUnixTimeSeconds(), kind);
    }

    private int Record(params Sighting[] sightings) => _watch.Record(sightings, _time.GetUtcNow().ToUnixTimeSeconds());

    private string[] Listed() => [.. _watch.List(null, 100).Select(c => $"{c.Imei.ToString()[..14]}:{string.Join(",", c.Imsis.Select(p => p.Imsi.ToString()))}")];

    private static string Row(long serial, params string[] imsis) => $"{TestData.Imei(serial).ToString()[..14]}:{string.Join(",", imsis)}";

    [Test]
    public void Two_IMSIs_are_not_a_clone_and_a_third_within_the_window_flags_the_IMEI()
    {
        _time.Advance(TimeSpan.FromHours(3));
        Assert.That(Record(Pair(1, Imsi1, Day0), Pair(1, Imsi2, Day0.AddHours(1)), Pair(1, Imsi2, Day0.AddHours(2))), Is.Zero);
        Assert.That(Listed(), Is.Empty);
        Assert.That(_watch.Suspected, Is.Zero);

        _time.Advance(TimeSpan.FromDays(20));
        Assert.That(Record(Pair(1, Imsi3, Day0.AddDays(20)), Pair(2, Imsi1, Day0.AddDays(20))), Is.EqualTo(1));
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi1, Imsi2, Imsi3) }));
        Assert.That(_watch.Suspected, Is.EqualTo(1));
        Assert.That(_watch.Pairs, Is.EqualTo(4));

        SuspectedClone clone = _watch.List(null, 10).Single();
        Assert.That(clone.Imsis[1], Is.EqualTo(new ClonePair(clone.Imsis[1].Imsi, (uint)Day0.AddHours(1).ToUnixTimeSeconds(), (uint)Day0.AddHours(2).ToUnixTimeSeconds())),
            "first and last seen of the second IMSI");
    }

    [Test]
    public void Every_sighting_kind_with_an_IMSI_counts_and_one_without_does_not()
    {
        Record(Pair(1, Imsi1, Day0, SightingKind.FirstSeen), Pair(1, Imsi2, Day0, SightingKind.GreyAttach),
            new Sighting(TestData.Imei(1).Key, default, (uint)Day0.ToUnixTimeSeconds(), SightingKind.FirstSeen));
        Assert.That(_watch.Pairs, Is.EqualTo(2));
        Record(Pair(1, Imsi3, Day0, SightingKind.BlackAttach));
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi1, Imsi2, Imsi3) }));
    }

    [Test]
    public void IMSIs_older_than_the_window_slide_out_of_the_count()
    {
        // Three IMSIs, but never three within 30 days of each other.
        Record(Pair(1, Imsi1, Day0));
        _time.Advance(TimeSpan.FromDays(20));
        Record(Pair(1, Imsi2, Day0.AddDays(20)));
        _time.Advance(TimeSpan.FromDays(20));
        Assert.That(Record(Pair(1, Imsi3, Day0.AddDays(40))), Is.Zero, "IMSI 1 was last seen 40 days ago");
        Assert.That(Listed(), Is.Empty);

        // IMSI 2 again: now three within the window? No: 1 is still out; a fourth makes three.
        Assert.That(Record(Pair(1, Imsi4, Day0.AddDays(40))), Is.EqualTo(1));
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi2, Imsi3, Imsi4) }));

        // 31 days without IMSI 2: the list says so at once, the sweep drops the pair and the flag.
        _time.Advance(TimeSpan.FromDays(11));
        Assert.That(Listed(), Is.Empty);
        Assert.That(_watch.Sweep(_time.GetUtcNow().ToUnixTimeSeconds()), Is.EqualTo(2), "IMSIs 1 and 2 dropped");
        Assert.That(_watch.Suspected, Is.Zero);
        Assert.That(_watch.Pairs, Is.EqualTo(2));
    }

    [Test]
    public void An_IMSI_back_within_the_window_flags_the_IMEI_at_once()
    {
        Record(Pair(1, Imsi1, Day0));
        _time.Advance(TimeSpan.FromDays(20));
        Record(Pair(1, Imsi2, Day0.AddDays(20)));
        _time.Advance(TimeSpan.FromDays(20));
        Assert.That(Record(Pair(1, Imsi3, Day0.AddDays(40))), Is.Zero, "IMSI 1 is out of the window");
        Assert.That(Record(Pair(1, Imsi1, Day0.AddDays(40))), Is.EqualTo(1), "IMSI 1 again: three within 30 days");
        Assert.That((_watch.Suspected, Listed().Length), Is.EqualTo((1, 1)));
    }

    [Test]
    public void A_sighting_older_than_the_window_or_ahead_of_now_is_clamped_or_ignored()
    {
        Record(Pair(1, Imsi1, Day0.AddDays(-31)), Pair(1, Imsi2, Day0.AddDays(5)));
        SuspectedClone[] none = [.. _watch.List(null, 10)];
        Assert.That(_watch.Pairs, Is.EqualTo(1), "the 31-day-old one is ignored");
        Assert.That(none, Is.Empty);
        Record(Pair(1, Imsi3, Day0), Pair(1, Imsi4, Day0));
        Assert.That(_watch.List(null, 10).Single().Imsis.Max(p => p.LastSeenUnixSeconds), Is.EqualTo((uint)Day0.ToUnixTimeSeconds()),
            "a node's fast clock counts as now");
    }

    [Test]
    public void Suspected_clones_survive_a_restart_and_a_compaction()
    {
        Record(Pair(1, Imsi1, Day0), Pair(1, Imsi2, Day0), Pair(1, Imsi3, Day0), Pair(2, Imsi1, Day0), Pair(2, Imsi2, Day0));
        _watch.Dispose();
        _watch = Open();
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi1, Imsi2, Imsi3) }), "from the journal");
        Assert.That(_watch.Pairs, Is.EqualTo(5));

        // IMEI 2's third IMSI after the restart; then a sweep a day later compacts into the table file.
        _time.Advance(TimeSpan.FromDays(1));
        Record(Pair(2, Imsi3, Day0.AddDays(1)));
        _watch.Sweep(_time.GetUtcNow().ToUnixTimeSeconds());
        _watch.Dispose();
        _watch = Open();
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi1, Imsi2, Imsi3), Row(2, Imsi1, Imsi2, Imsi3) }));
        Assert.That(_watch.Suspected, Is.EqualTo(2));

        // Closed for 31 days: reopened, everything has aged out.
        _watch.Dispose();
        _time.Advance(TimeSpan.FromDays(31));
        _watch = Open();
        Assert.That((_watch.Pairs, _watch.Suspected), Is.EqualTo((0, 0)));
    }

    [Test]
    public void Many_pairs_survive_a_restart_through_the_table_and_the_journal_together()
    {
        // Enough pairs for the table to grow and for the sweep to compact (more than 4096 journal records).
        var sightings = new List<Sighting>();
        for (int i = 1; i <= 3000; i++)
        {
            sightings.Add(Pair(i, Imsi1, Day0));
            sightings.Add(Pair(i, Imsi2, Day0));
            if (i % 10 == 0) sightings.Add(Pair(i, Imsi3, Day0));
        }
        Assert.That(Record([.. sightings]), Is.EqualTo(300));
        _watch.Sweep(_time.GetUtcNow().ToUnixTimeSeconds());
        Record(Pair(7, Imsi3, Day0));
        _watch.Dispose();
        _watch = Open();
        Assert.That((_watch.Pairs, _watch.Suspected), Is.EqualTo((6301, 301)));
        Assert.That(_watch.List(null, 1000).Select(c => c.Imei.Key), Is.Ordered, "by IMEI");
    }

    [Test]
    public void A_torn_journal_tail_is_cut_off_and_the_whole_records_kept()
    {
        Record(Pair(1, Imsi1, Day0), Pair(1, Imsi2, Day0), Pair(1, Imsi3, Day0));
        _watch.Dispose();
        string journal = Path.Combine(_directory.Path, "clones", "pairs.journal");
        using (var file = new FileStream(journal, FileMode.Append)) file.Write(new byte[17]); // a crash mid-append
        _watch = Open();
        Assert.That(Listed(), Is.EqualTo(new[] { Row(1, Imsi1, Imsi2, Imsi3) }));
        Assert.That(new FileInfo(journal).Length, Is.EqualTo(8 + 3 * 24), "the torn bytes are gone");
    }

    [Test]
    public void A_fake_IMEI_on_thousands_of_SIMs_keeps_only_its_most_recent_IMSIs()
    {
        _watch.Dispose();
        _watch = Open(new CloneOptions { MaxImsisPerImei = 4 });
        for (int i = 0; i < 1000; i++)
            Record(Pair(1, (401011000001000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Day0.AddDays(-1).AddSeconds(i)));
        SuspectedClone clone = _watch.List(null, 10).Single();
        Assert.That(clone.Imsis.Select(p => p.Imsi.ToString()), Is.EqualTo(new[] { "401011000001996", "401011000001997", "401011000001998", "401011000001999" }));
        Assert.That(_watch.Pairs, Is.EqualTo(4));
    }

    [Test]
    public void Paging_continues_after_the_last_IMEI_listed()
    {
        for (int serial = 1; serial <= 5; serial++) Record(Pair(serial, Imsi1, Day0), Pair(serial, Imsi2, Day0), Pair(serial, Imsi3, Day0));
        IReadOnlyList<SuspectedClone> first = _watch.List(null, 2);
        IReadOnlyList<SuspectedClone> second = _watch.List(first[^1].Imei, 2);
        IReadOnlyList<SuspectedClone> third = _watch.List(second[^1].Imei, 2);
        Assert.That(first.Concat(second).Concat(third).Select(c => c.Imei), Is.EqualTo(Enumerable.Range(1, 5).Select(s => TestData.Imei(s))));
        Assert.That(third, Has.Count.EqualTo(1));
    }

    [Test]
    public void Defaults_are_valid_and_every_bad_value_names_its_key()
    {
        Assert.That(new CloneOptions().Validate(), Is.Empty);
        Assert.That((new CloneOptions().Threshold, new CloneOptions().Window), Is.EqualTo((3, TimeSpan.FromDays(30))));
        string[] problems = [.. new CloneOptions { Threshold = 1, Window = TimeSpan.FromSeconds(5), MaxImsisPerImei = 300, SweepInterval = TimeSpan.Zero }.Validate()];
        Assert.That(problems.Select(p => p[..p.IndexOf(':', "Clones:".Length)]), Is.EquivalentTo(new[]
        {
            "Clones:Threshold", "Clones:Window", "Clones:MaxImsisPerImei", "Clones:SweepInterval",
        }));
        Assert.That(new CloneOptions { Threshold = 20 }.Validate().Single(), Is.EqualTo("Clones:Threshold: 20 must be between 2 and Clones:MaxImsisPerImei (16)"));
    }
}
