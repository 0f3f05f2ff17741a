namespace ImeiEir.Core.Tests;

/// <summary>The named sections of a version-3 backup: what is written reads back, and nothing else reads as sections.</summary>
[TestFixture]
public sealed class BackupSectionsTests
{
    private static readonly BackupSection[] s_sections =
    [
        new("tac", "1-0123456789abcdef\ntac,manufacturer\n"u8.ToArray()),
        new("notify/outbox.journal", [0, 1, 2, 255]),
        new("notify/empty", []),
    ];

    [Test]
    public void Encoded_sections_decode_to_the_same_names_and_bytes_in_order()
    {
        byte[] bytes = BackupFormat.EncodeSections(s_sections);
        Assert.That(BackupFormat.TryDecodeSections(bytes, out List<BackupSection> read), Is.True);
        Assert.That(read.Select(s => (s.Name, Convert.ToHexString(s.Content))), Is.EqualTo(s_sections.Select(s => (s.Name, Convert.ToHexString(s.Content)))));
    }

    [Test]
    public void Every_cut_of_encoded_sections_is_refused_rather_than_read_short()
    {
        byte[] bytes = BackupFormat.EncodeSections(s_sections);
        var cuts = new[] { 1, 2, 5, 30 }.Concat(Enumerable.Range(1, bytes.Length - 1).Where(n => n % 7 == 0)).Distinct();
        // A cut exactly between two sections is a shorter list, not damage: the header's byte count catches that.
        int[] boundaries = [BackupFormat.EncodeSections(s_sections[..1]).Length, BackupFormat.EncodeSections(s_sections[..2]).Length];
        foreach (int length in cuts.Where(n => n < bytes.Length && !boundaries.Contains(n)))
            Assert.That(BackupFormat.TryDecodeSections(bytes.AsSpan(0, length), out _), Is.False, $"{length} of {bytes.Length} bytes");
    }

    [TestCase("")]
    [TestCase("with space")]
    [TestCase("café")]
    public void A_name_that_would_not_read_back_is_refused_when_writing(string name) =>
        Assert.Throws<ArgumentException>(() => BackupFormat.EncodeSections([new BackupSection(name, [1])]));
}
