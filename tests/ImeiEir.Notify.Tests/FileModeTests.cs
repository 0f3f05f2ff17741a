using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using ImeiEir.Notify.Storage;
using ImeiEir.Notify.Subscribers;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Notify.Tests;

/// <summary>Files of personal data (MSISDNs, IMSIs, IINs) are the owner's alone, 0600, whatever the umask.</summary>
[Platform(Exclude = "Win")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class FileModeTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, name);

    [Test]
    public async Task The_subscriber_directory_and_the_journals_the_notifier_creates_are_0600()
    {
        using (Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)))
        {
            await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
            notifier.Outbox.Enqueue(TestData.Grey());
        }

        Assert.Multiple(() =>
        {
            foreach (string name in new[] { SubscriberDirectory.FileName, NoticeOutbox.JournalFileName, SightingPairs.JournalFileName })
                Assert.That(File.GetUnixFileMode(PathOf(name)), Is.EqualTo(OwnerOnly), name);
        });
    }

    [Test]
    public async Task A_subscriber_directory_replaced_by_a_second_import_stays_0600()
    {
        using Notifier notifier = await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start));
        await TestData.ImportAsync(notifier, TestData.DirectoryCsv);
        File.WriteAllText(PathOf(SubscriberDirectory.FileName + ".tmp"), ""); // a leftover of an import cut short
        File.SetUnixFileMode(PathOf(SubscriberDirectory.FileName + ".tmp"), WorldReadable);
        await TestData.ImportAsync(notifier, $"imsi,msisdn,iin,language\n401010000000001,77010000001,{TestData.Iin},ru\n");

        Assert.That(File.GetUnixFileMode(PathOf(SubscriberDirectory.FileName)), Is.EqualTo(OwnerOnly));
    }

    [Test]
    public void A_compacted_journal_is_0600()
    {
        string path = PathOf("test.journal");
        using (JournalFile journal = JournalFile.Open(path, _ => { }, out _, 0))
        {
            File.WriteAllText(path + ".compact", "");
            File.SetUnixFileMode(path + ".compact", WorldReadable); // a leftover of a compaction cut short
            journal.Rewrite([[1, 2, 3]]);
        }

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(OwnerOnly));
    }

    [Test]
    public async Task Existing_0644_files_are_tightened_to_0600_at_open()
    {
        using (await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)))
        {
        }
        File.WriteAllText(PathOf(SubscriberDirectory.FileName), TestData.DirectoryCsv);
        string[] names = [SubscriberDirectory.FileName, NoticeOutbox.JournalFileName, SightingPairs.JournalFileName, "dlr.token"];
        foreach (string name in names)
        {
            if (!File.Exists(PathOf(name))) File.WriteAllText(PathOf(name), name == "dlr.token" ? "dlr-token-0123456789abcdef\n" : "");
            File.SetUnixFileMode(PathOf(name), WorldReadable);
        }

        using (await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)))
        {
            Assert.Multiple(() =>
            {
                foreach (string name in names)
                    Assert.That(File.GetUnixFileMode(PathOf(name)), Is.EqualTo(OwnerOnly), name);
            });
        }
    }

    [Test]
    public async Task The_generated_dlr_token_file_is_0600()
    {
        using (await TestData.OpenAsync(_dir.Path, new FakeTimeProvider(TestData.Start)))
        {
        }

        Assert.That(File.GetUnixFileMode(PathOf("dlr.token")), Is.EqualTo(OwnerOnly));
    }
}
