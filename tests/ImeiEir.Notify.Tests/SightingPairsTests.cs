using ImeiEir.Core;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>The (IMEI, IMSI) pairs seen: held once each, durable across a reopen, forgotten per device, compacted.</summary>
public sealed class SightingPairsTests
{
    private static readonly long Seen = TestData.Start.ToUnixTimeSeconds();
    private TempDirectory _dir = null!;
    private readonly FakeTimeProvider _time = new(TestData.Start);

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string JournalPath => Path.Combine(_dir.Path, SightingPairs.JournalFileName);

    private static SeenPair Pair(string imsi, Imei? imei = null, long seen = 0)
    {
        Assert.That(PackedImsi.TryPack(imsi.AsSpan(), out PackedImsi packed), Is.True, imsi);
        return new SeenPair(imei ?? TestData.Imei, packed, seen == 0 ? Seen : seen);
    }

    [Test]
    public void A_pair_is_held_once_with_the_moment_it_was_first_seen()
    {
        using SightingPairs pairs = SightingPairs.Open(_dir.Path, _time);
        Assert.That(pairs.Record([Pair(TestData.RuImsi), Pair(TestData.RuImsi, seen: Seen + 60), Pair(TestData.KkImsi)]), Is.EqualTo(2));
        Assert.That(pairs.Record([Pair(TestData.RuImsi, seen: Seen + 3600)]), Is.Zero, "seen again later: still the first moment");
        Assert.That(pairs.Record([Pair(TestData.RuImsi, TestData.Device(3))]), Is.EqualTo(1), "the same SIM in another device");

        Assert.That(pairs.Of(TestData.Imei).Select(p => (p.Imsi.ToString(), p.FirstSeenUnixSeconds)), Is.EquivalentTo(new[]
        {
            (TestData.RuImsi, Seen), (TestData.KkImsi, Seen),
        }));
        Assert.That((pairs.Count, pairs.Devices), Is.EqualTo((3, 2)));
        Assert.That(pairs.Of(TestData.Device(9)), Is.Empty);
    }

    [Test]
    public void Pairs_and_forgettings_are_on_disk_when_the_call_returns()
    {
        using (SightingPairs pairs = SightingPairs.Open(_dir.Path, _time))
        {
            pairs.Record([Pair(TestData.RuImsi), Pair(TestData.KkImsi), Pair(TestData.RuImsi, TestData.Device(3))]);
            Assert.That(pairs.Forget([TestData.Imei, TestData.Device(8)]), Is.EqualTo(1), "only held devices count");
        }
        using SightingPairs reopened = SightingPairs.Open(_dir.Path, _time);
        Assert.That(reopened.All().Select(p => (p.Imei, p.Imsi.ToString())), Is.EqualTo(new[] { (TestData.Device(3), TestData.RuImsi) }));
        Assert.That(reopened.Of(TestData.Imei), Is.Empty);
    }

    [Test]
    public void A_torn_last_record_is_cut_and_the_rest_kept()
    {
        using (SightingPairs pairs = SightingPairs.Open(_dir.Path, _time))
            pairs.Record([Pair(TestData.RuImsi), Pair(TestData.KkImsi)]);
        long good = new FileInfo(JournalPath).Length;
        using (FileStream file = File.OpenWrite(JournalPath))
        {
            file.Seek(0, SeekOrigin.End);
            file.Write([26, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9]); // a frame header and the start of an add record
        }
        using SightingPairs reopened = SightingPairs.Open(_dir.Path, _time);
        Assert.That(reopened.Count, Is.EqualTo(2));
        Assert.That(new FileInfo(JournalPath).Length, Is.EqualTo(good), "cut back to the last good record");
        Assert.That(reopened.Record([Pair(TestData.RuImsi, TestData.Device(4))]), Is.EqualTo(1), "appends follow the good records");
    }

    [Test]
    public void Forgotten_devices_are_compacted_away_at_open()
    {
        using (SightingPairs pairs = SightingPairs.Open(_dir.Path, _time))
        {
            for (int i = 0; i < 50; i++) pairs.Record([Pair(TestData.RuImsi, TestData.Device(i))]);
            pairs.Forget(Enumerable.Range(0, 48).Select(TestData.Device));
        }
        long before = new FileInfo(JournalPath).Length;
        using (SightingPairs compacted = SightingPairs.Open(_dir.Path, _time, logger: null, compactionSlack: 0))
            Assert.That(compacted.All().Select(p => p.Imei), Is.EquivalentTo(new[] { TestData.Device(48), TestData.Device(49) }));
        Assert.That(new FileInfo(JournalPath).Length, Is.LessThan(before / 10), "98 records of 100 were dead");
        using SightingPairs reopened = SightingPairs.Open(_dir.Path, _time);
        Assert.That(reopened.All().Select(p => (p.Imei, p.FirstSeenUnixSeconds)), Is.EquivalentTo(new[] { (TestData.Device(48), Seen), (TestData.Device(49), Seen) }));
    }

    [Test]
    public void An_outbox_journal_is_not_taken_for_a_pairs_journal()
    {
        File.Copy(WriteOutboxJournal(), JournalPath);
        var error = Assert.Throws<InvalidDataException>(() => SightingPairs.Open(_dir.Path, _time));
        Assert.That(error!.Message, Does.Contain("IEIRPRS1"));
    }

    private string WriteOutboxJournal()
    {
        string other = Path.Combine(_dir.Path, "other");
        Directory.CreateDirectory(other);
        using (Notifier notifier = TestData.OpenAsync(other, _time).GetAwaiter().GetResult())
            notifier.Outbox.Enqueue(TestData.Grey());
        return Path.Combine(other, NoticeOutbox.JournalFileName);
    }
}
