using ImeiEir.Registry;
using ImeiEir.Core;
using ImeiEir.Store;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Load.Tests;

/// <summary><c>eirctl gen</c>: its file loads with the server's CSV loader, has the requested mix, and is the keyspace eirload queries.</summary>
public sealed class GenCommandTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"imeieir-gen-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Generated_file_loads_without_errors_with_the_requested_mix_and_the_keyspace_eirload_uses()
    {
        string path = Path.Combine(_directory, "lists.csv");
        DateOnly generatedOn;
        // A file written across midnight in Almaty has no one date; written again, it cannot straddle the next one.
        do
        {
            generatedOn = Tools.EirLoad.RequestSource.TodayInAlmaty();
            using ChildProcess gen = ChildProcess.StartDll("eirctl.dll", "gen", "--count", "20000", "--seed", "7",
                "--mix", "white=60,grey=15,black=15,unknown=10", "--out", path);
            Assert.That(gen.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, gen.Transcript);
            Assert.That(gen.ExitCode, Is.EqualTo(0), gen.Transcript);
        }
        while (Tools.EirLoad.RequestSource.TodayInAlmaty() != generatedOn);

        // The file is what the server pushes into the registry at start-up: parse it as the registry does.
        DeltaBatch batch;
        using (FileStream file = File.OpenRead(path))
            batch = DeltaParser.ParseCsvAsync(file, 1_000_000, CancellationToken.None).GetAwaiter().GetResult();
        Assert.That(batch.Failure, Is.Null);
        Assert.That(batch.Errors, Is.Empty);
        Assert.That(batch.Lines, Has.Count.EqualTo(18_000), "unknown keys (10 %) are not in the file");
        Dictionary<ulong, DeltaLine> byKey = batch.Lines.ToDictionary(l => l.Imei.Key);

        var lists = batch.Lines.GroupBy(l => l.List).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(lists[ListKind.White], Is.EqualTo(12_000));
        Assert.That(lists[ListKind.Grey], Is.EqualTo(3_000));
        Assert.That(lists[ListKind.Black], Is.EqualTo(3_000));

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(batch.Lines.Where(l => l.List == ListKind.Grey).All(l => l.DeadlineUnixSeconds > now), Is.True,
            "grey deadlines are in the future");

        // Same seed, same IMEIs: eirload's view of the keyspace agrees with the file, key by key.
        var keyspace = new SyntheticKeyspace(20_000, 7, new ListMix(60, 15, 15, 10));
        var source = Tools.EirLoad.RequestSource.Synthetic(20_000, 7, new ListMix(60, 15, 15, 10), (sbyte)EquipmentStatus.Greylisted, generatedOn);
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo("imei,list,reason,deadline"));
        int line = 1;
        for (long i = 0; i < keyspace.Count; i++)
        {
            KeyKind kind = keyspace.KindAt(i);
            bool found = byKey.TryGetValue(keyspace.ImeiAt(i).Key, out DeltaLine record);
            if (kind == KeyKind.Unknown)
            {
                Assert.That(found, Is.False, $"unknown key {i} is in the store");
                continue;
            }
            Assert.That(lines[line++], Does.StartWith(keyspace.ImeiAt(i) + ","));
            Assert.That(found, Is.True);
            Assert.That(record.List, Is.EqualTo(kind switch { KeyKind.White => ListKind.White, KeyKind.Grey => ListKind.Grey, _ => ListKind.Black }));
            if (kind == KeyKind.Grey)
                Assert.That(source.GreyDeadline(i), Is.EqualTo((long)record.DeadlineUnixSeconds), $"eirload's deadline for grey key {i}");
        }
    }

    [Test]
    public void Eirload_expects_a_grey_key_blocked_from_its_deadline_on_and_the_other_lists_unchanged()
    {
        var mix = new ListMix(60, 15, 15, 10);
        DateOnly today = Tools.EirLoad.RequestSource.TodayInAlmaty();
        var fresh = Tools.EirLoad.RequestSource.Synthetic(10_000, 7, mix, (sbyte)EquipmentStatus.Greylisted, today);
        // 31 days ago: every grace (1 to 30 days) is over.
        var old = Tools.EirLoad.RequestSource.Synthetic(10_000, 7, mix, (sbyte)EquipmentStatus.Greylisted, today.AddDays(-31));
        var keyspace = new SyntheticKeyspace(10_000, 7, mix);
        int grey = 0;
        for (long i = 0; i < keyspace.Count; i++)
        {
            KeyKind kind = keyspace.KindAt(i);
            sbyte expected = kind switch
            {
                KeyKind.White => (sbyte)EquipmentStatus.Whitelisted,
                KeyKind.Black => (sbyte)EquipmentStatus.Blacklisted,
                _ => (sbyte)EquipmentStatus.Greylisted, // grey with grace left, and unknown (first attach: grey)
            };
            Assert.That(fresh.At(i).Expected, Is.EqualTo(expected), $"key {i} ({kind}), lists of today");
            Assert.That(old.At(i).Expected, Is.EqualTo(kind == KeyKind.Grey ? (sbyte)EquipmentStatus.Blacklisted : expected),
                $"key {i} ({kind}), lists of 31 days ago");
            if (kind == KeyKind.Grey) grey++;
        }
        Assert.That(grey, Is.EqualTo(1_500));
    }

    [Test]
    public void Keyspace_is_deterministic_distinct_and_valid()
    {
        var a = new SyntheticKeyspace(100_000, 3, ListMix.Default);
        var b = new SyntheticKeyspace(100_000, 3, ListMix.Default);
        var c = new SyntheticKeyspace(100_000, 4, ListMix.Default);
        var seen = new HashSet<ulong>();
        int differ = 0;
        for (long i = 0; i < a.Count; i++)
        {
            Imei imei = a.ImeiAt(i);
            Assert.That(b.ImeiAt(i), Is.EqualTo(imei));
            if (c.ImeiAt(i) != imei) differ++;
            Assert.That(seen.Add(imei.Key), Is.True, $"key {i} repeats IMEI {imei}");
            Assert.That(imei.Tac, Is.GreaterThanOrEqualTo(1_000_000u), "no TAC in the invalid range 00000000");
            Assert.That(Imei.TryParse(imei.ToString().AsSpan(), out _), Is.EqualTo(ImeiParseResult.Valid));
        }
        Assert.That(differ, Is.GreaterThan(99_000), "another seed gives other IMEIs");
    }

    [TestCase("white=70,grey=10,black=10,unknown=10", 70, 10, 10, 10)]
    [TestCase("black=1", 0, 0, 1, 0)]
    [TestCase(" White = 5 , gray=5 ", 5, 5, 0, 0)]
    public void Mix_parses(string text, int white, int grey, int black, int unknown)
    {
        Assert.That(ListMix.TryParse(text, out ListMix mix, out string? problem), Is.True, problem);
        Assert.That(mix, Is.EqualTo(new ListMix(white, grey, black, unknown)));
    }

    [TestCase("purple=5")]
    [TestCase("white=x")]
    [TestCase("white=0")]
    [TestCase("white")]
    public void Mix_refuses_nonsense(string text) =>
        Assert.That(ListMix.TryParse(text, out _, out string? problem), Is.False, problem);
}
