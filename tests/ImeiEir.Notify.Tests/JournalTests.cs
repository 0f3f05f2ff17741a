using System.Text;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Storage;

namespace ImeiEir.Notify.Tests;

/// <summary>The outbox journal: records come back in order; a torn or corrupt tail is cut, never read as a record.</summary>
public class JournalTests
{
    private TempDirectory _dir = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _path = Path.Combine(_dir.Path, "test.journal");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private List<string> Read(out long discarded)
    {
        var records = new List<string>();
        using JournalFile journal = JournalFile.Open(_path, payload => records.Add(Encoding.UTF8.GetString(payload)), out discarded, 1);
        return records;
    }

    private void Write(params string[] records)
    {
        using JournalFile journal = JournalFile.Open(_path, _ => { }, out _, 1);
        foreach (string record in records) journal.Append(Encoding.UTF8.GetBytes(record));
        journal.Flush();
    }

    [Test]
    public void Records_come_back_in_order_across_opens()
    {
        Write("one", "two");
        Write("three");
        Assert.That(Read(out long discarded), Is.EqualTo(new[] { "one", "two", "three" }));
        Assert.That(discarded, Is.Zero);
    }

    [Test]
    public void A_tail_torn_at_any_byte_is_cut_and_the_journal_goes_on_after_the_last_good_record()
    {
        Write("first record", "second record");
        byte[] whole = File.ReadAllBytes(_path);
        int secondStart = 8 + 8 + "first record".Length;
        for (int cut = secondStart; cut < whole.Length; cut++)
        {
            File.WriteAllBytes(_path, whole[..cut]);
            Assert.That(Read(out long discarded), Is.EqualTo(new[] { "first record" }), $"cut at {cut}");
            Assert.That(discarded, Is.EqualTo(cut - secondStart), $"cut at {cut}");
            Assert.That(new FileInfo(_path).Length, Is.EqualTo(secondStart), "truncated to the last good record");

            Write("after the cut");
            Assert.That(Read(out _), Is.EqualTo(new[] { "first record", "after the cut" }), $"append after a cut at {cut}");
        }
    }

    [Test]
    public void A_record_whose_crc_fails_ends_the_journal()
    {
        Write("first", "second", "third");
        byte[] bytes = File.ReadAllBytes(_path);
        int secondPayload = 8 + 8 + "first".Length + 8;
        bytes[secondPayload] ^= 0x01; // 's' → 'r': same length, wrong CRC
        File.WriteAllBytes(_path, bytes);
        Assert.That(Read(out long discarded), Is.EqualTo(new[] { "first" }));
        Assert.That(discarded, Is.EqualTo(bytes.Length - (8 + 8 + "first".Length)));
    }

    [Test]
    public void A_damaged_region_longer_than_a_record_is_kept_aside_for_a_human()
    {
        Write("first");
        long good = new FileInfo(_path).Length;
        using (var stream = new FileStream(_path, FileMode.Append))
        {
            stream.Write(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0 }); // an impossible length
            stream.Write(new byte[JournalFile.MaxPayload + 100]);
        }
        Assert.That(Read(out long discarded), Is.EqualTo(new[] { "first" }));
        string[] aside = Directory.GetFiles(_dir.Path, "test.journal.damaged-*");
        Assert.That(aside, Has.Length.EqualTo(1));
        Assert.That(new FileInfo(aside[0]).Length, Is.EqualTo(discarded));
        Assert.That(new FileInfo(_path).Length, Is.EqualTo(good));
    }

    [Test]
    public void A_file_that_is_not_a_journal_is_refused_not_overwritten()
    {
        File.WriteAllText(_path, "imsi,msisdn,iin,language\n");
        Assert.Throws<InvalidDataException>(() => Read(out _));
        Assert.That(File.ReadAllText(_path), Is.EqualTo("imsi,msisdn,iin,language\n"));
    }

    [Test]
    public void A_header_torn_at_creation_starts_an_empty_journal()
    {
        File.WriteAllBytes(_path, "IEIR"u8.ToArray());
        Assert.That(Read(out long discarded), Is.Empty);
        Assert.That(discarded, Is.EqualTo(4));
        Write("x");
        Assert.That(Read(out _), Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public void Rewrite_replaces_the_history_with_the_given_records()
    {
        Write("a1", "a2", "a3");
        using (JournalFile journal = JournalFile.Open(_path, _ => { }, out _, 1))
        {
            journal.Rewrite([Encoding.UTF8.GetBytes("a3")]);
            journal.Append("a4"u8);
            journal.Flush();
            Assert.That(journal.RecordCount, Is.EqualTo(2));
        }
        Assert.That(Read(out _), Is.EqualTo(new[] { "a3", "a4" }));
    }
}
