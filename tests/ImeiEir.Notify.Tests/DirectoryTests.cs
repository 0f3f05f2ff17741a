using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Subscribers;

namespace ImeiEir.Notify.Tests;

/// <summary>The subscriber directory: import format, errors with line numbers, atomicity, replacement, durability.</summary>
public class DirectoryTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static Task<SubscriberImportReport> Import(SubscriberDirectory directory, string csv) => directory.ImportAsync(new StringReader(csv));

    [Test]
    public async Task Imports_with_or_without_a_header_skipping_comments_and_blank_lines()
    {
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        SubscriberImportReport report = await Import(directory,
            "# operator export 2026-11-24\n\n401011234567890, 77011234567 ,900101300123,ru\r\n  # indented comment\n401019876543210,+77027654321,050505600321,KK\n");
        Assert.Multiple(() =>
        {
            Assert.That(report.Accepted, Is.True, string.Join("; ", report.Errors));
            Assert.That((report.Added, report.Replaced, report.Unchanged, report.Total), Is.EqualTo((2, 0, 0, 2)));
            Assert.That(directory.TryGet("401011234567890", out Subscriber? ru), Is.True);
            Assert.That(ru, Is.EqualTo(new Subscriber("401011234567890", "77011234567", "900101300123", NoticeLanguage.Russian)));
            Assert.That(directory.TryGet("401019876543210", out Subscriber? kk), Is.True);
            Assert.That(kk, Is.EqualTo(new Subscriber("401019876543210", "77027654321", "050505600321", NoticeLanguage.Kazakh)), "'+' dropped, leading zero kept");
            Assert.That(directory.TryGet("401010000000000", out _), Is.False);
        });

        SubscriberDirectory withHeader = await SubscriberDirectory.OpenAsync(Path.Combine(_dir.Path, "other"));
        SubscriberImportReport second = await Import(withHeader, "IMSI,MSISDN,IIN,Language\n401011234567890,77011234567,900101300123,ru\n");
        Assert.That((second.Accepted, second.Added), Is.EqualTo((true, 1)));
    }

    [Test]
    public async Task Every_bad_line_is_reported_with_its_number_and_nothing_is_imported()
    {
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        await Import(directory, TestData.DirectoryCsv);
        long version = directory.Version;

        string csv = string.Join('\n',
            "imsi,msisdn,iin,language",                     // 1
            "401011111111111,77011111111,900101300123,ru",  // 2 good, and would be new
            "40101x,77011111111,900101300123,ru",           // 3
            "401012222222222,123,900101300123,ru",          // 4
            "401013333333333,77013333333,90010130012,ru",   // 5
            "# a comment",                                  // 6
            "401014444444444,77014444444,900101300123,kz",  // 7
            "401015555555555,77015555555,900101300123",     // 8
            "401011111111111,77011111112,900101300123,kk",  // 9 duplicate of line 2
            "401016666666666,77016666666,900101300123,ru,x,y", // 10
            $"{TestData.RuImsi},77099999999,900101300123,kk"); // 11 good, would replace
        SubscriberImportReport report = await Import(directory, csv);

        Assert.Multiple(() =>
        {
            Assert.That(report.Accepted, Is.False);
            Assert.That(report.Errors.Select(e => e.Line), Is.EqualTo(new[] { 3, 4, 5, 7, 8, 9, 10 }));
            Assert.That(report.Errors[0].Reason, Does.Contain("imsi '40101x'"));
            Assert.That(report.Errors[1].Reason, Does.Contain("msisdn '123'"));
            Assert.That(report.Errors[2].Reason, Does.Contain("iin '90010130012' is not 12 digits"));
            Assert.That(report.Errors[3].Reason, Does.Contain("language 'kz'").And.Contain("Kazakh is kk"));
            Assert.That(report.Errors[4].Reason, Does.Contain("expected 4 or 5 fields"));
            Assert.That(report.Errors[5].Reason, Does.Contain("also on line 2"));
            Assert.That(report.Errors[6].Reason, Does.Contain("more than 5"));
            Assert.That(directory.TryGet("401011111111111", out _), Is.False, "atomic: the good new line was not imported");
            Assert.That(directory.TryGet(TestData.RuImsi, out Subscriber? ru) ? ru.Msisdn : null, Is.EqualTo(TestData.RuMsisdn), "atomic: nothing replaced");
            Assert.That(directory.Version, Is.EqualTo(version));
        });
    }

    [Test]
    public async Task An_import_replaces_existing_subscribers_and_survives_a_restart()
    {
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        int changed = 0;
        directory.Changed += () => changed++;
        await Import(directory, TestData.DirectoryCsv);
        SubscriberImportReport report = await Import(directory,
            $"{TestData.RuImsi},77099999999,900101300123,kk\n{TestData.KkImsi},{TestData.KkMsisdn},{TestData.Iin},kk\n401010000000001,77010000001,010101500123,ru\n");
        Assert.That((report.Added, report.Replaced, report.Unchanged, report.Total), Is.EqualTo((1, 1, 1, 3)));
        Assert.That(changed, Is.EqualTo(2));

        SubscriberDirectory reopened = await SubscriberDirectory.OpenAsync(_dir.Path);
        Assert.Multiple(() =>
        {
            Assert.That(reopened.Count, Is.EqualTo(3));
            Assert.That(reopened.TryGet(TestData.RuImsi, out Subscriber? replaced) ? replaced : null,
                Is.EqualTo(new Subscriber(TestData.RuImsi, "77099999999", "900101300123", NoticeLanguage.Kazakh)));
            Assert.That(reopened.TryGet("401010000000001", out Subscriber? added) ? added.Iin : null, Is.EqualTo("010101500123"));
            Assert.That(File.Exists(Path.Combine(_dir.Path, SubscriberDirectory.FileName + ".tmp")), Is.False);
        });
    }

    [Test]
    public async Task An_import_that_changes_nothing_does_not_bump_the_version()
    {
        SubscriberDirectory directory = await SubscriberDirectory.OpenAsync(_dir.Path);
        await Import(directory, TestData.DirectoryCsv);
        long version = directory.Version;
        SubscriberImportReport again = await Import(directory, TestData.DirectoryCsv);
        Assert.That((again.Accepted, again.Unchanged, directory.Version), Is.EqualTo((true, 2, version)));
    }

    [Test]
    public async Task A_damaged_directory_file_stops_the_start_naming_the_line()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, SubscriberDirectory.FileName), "imsi,msisdn,iin,language\n401011234567890,77011234567,900101300123,ru\nbroken\n");
        var error = Assert.ThrowsAsync<InvalidDataException>(() => SubscriberDirectory.OpenAsync(_dir.Path));
        Assert.That(error!.Message, Does.Contain($"{SubscriberDirectory.FileName}:3:"));
    }
}
