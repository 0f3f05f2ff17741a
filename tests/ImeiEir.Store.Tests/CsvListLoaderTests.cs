using ImeiEir.Core;

namespace ImeiEir.Store.Tests;

public class CsvListLoaderTests
{
    private const string ValidFile =
        "imei,list,reason,deadline\n" +
        "# operator X, initial load\n" +
        "49015420323751,white,verified,\n" +
        "\n" +
        "490154203237526,black,stolen,\n" +          // 15 digits: Valid() puts in the right check digit
        "3569380356438012,grey,unverified,2026-12-24\n" +
        "35209900176148,grey,imported,2026-12-24T18:30:00+06:00\n" +
        "35123456000000,black,illegal-import,\n";

    private static ImeiStore NewStore() => new(new StoreOptions { ExpectedRecords = 1000 });

    private static CsvLoadReport LoadText(string text, ImeiStoreSession session, string source = "lists.csv") =>
        CsvListLoader.Load(() => new StringReader(text), source, session);

    private static string WithCheckDigit(string fourteen) => fourteen + Imei.Parse(fourteen).CheckDigit;

    private static string Valid() => ValidFile.Replace("490154203237526", WithCheckDigit("49015420323752"));

    [Test]
    public void A_valid_file_loads_every_record_with_sequence_0()
    {
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText(Valid(), session);

        Assert.That(report.Errors, Is.Empty);
        Assert.That(report.Succeeded);
        Assert.That(report.Applied, Is.EqualTo(5));
        Assert.That(store.CountRecords(), Is.EqualTo(5));
        Assert.That(session.TryGet(Imei.Parse("49015420323751"), out ImeiRecord white));
        Assert.That(white, Is.EqualTo(new ImeiRecord(ListKind.White, Reason.Verified, 0, 0)));
        Assert.That(session.TryGet(Imei.Parse("35693803564380"), out ImeiRecord grey));
        Assert.That(grey.List, Is.EqualTo(ListKind.Grey));
        Assert.That(grey.Deadline, Is.EqualTo(new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.FromHours(5))));
        Assert.That(session.TryGet(Imei.Parse("35209900176148"), out ImeiRecord withOffset));
        Assert.That(withOffset.Deadline, Is.EqualTo(new DateTimeOffset(2026, 12, 24, 12, 30, 0, TimeSpan.Zero)));
        Assert.That(session.TryGet(Imei.Parse("35123456000000"), out ImeiRecord black));
        Assert.That(black, Is.EqualTo(new ImeiRecord(ListKind.Black, Reason.IllegalImport, 0, 0)));
    }

    [TestCase("\n")]
    [TestCase("\r\n")]
    public void Line_endings_and_a_missing_or_extra_trailing_newline_do_not_matter(string newline)
    {
        string text = Valid().Replace("\n", newline);
        foreach (string variant in new[] { text, text.TrimEnd('\r', '\n'), text + newline + newline })
        {
            using var store = NewStore();
            using var session = store.NewSession();

            CsvLoadReport report = LoadText(variant, session);

            Assert.That(report.Errors, Is.Empty, variant);
            Assert.That(report.Applied, Is.EqualTo(5));
        }
    }

    [Test]
    public void A_three_column_file_without_deadlines_loads()
    {
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText("IMEI, List, Reason\r\n49015420323751,WHITE,Service_Replacement\r\n", session);

        Assert.That(report.Errors, Is.Empty);
        Assert.That(session.TryGet(Imei.Parse("49015420323751"), out ImeiRecord record));
        Assert.That(record.Reason, Is.EqualTo(Reason.ServiceReplacement));
    }

    [Test]
    public void Load_from_a_path_reads_the_file()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "lists.csv");
        File.WriteAllText(path, Valid(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = CsvListLoader.Load(path, session);

        Assert.That(report.Errors, Is.Empty);
        Assert.That(report.Applied, Is.EqualTo(5));
    }

    [TestCase("12345,white,verified,", "imei '12345' is not an IMEI: expected 14, 15 or 16 digits")]
    [TestCase("4901542032375A,white,verified,", "imei '4901542032375A' is not an IMEI")]
    [TestCase("490154203237517,white,verified,", "imei '490154203237517' has a wrong check digit: the check digit should be 8")]
    [TestCase("49015420323751,purple,verified,", "list 'purple' is not a list: expected white, grey or black")]
    [TestCase("49015420323751,white,because,", "reason 'because' is not a known reason: expected one of verified, legacy, imported")]
    [TestCase("49015420323751,grey,unverified,", "deadline is empty, but a grey record needs one")]
    [TestCase("49015420323751,white,verified,2026-12-24", "deadline '2026-12-24' is only allowed on the grey list, not on white")]
    [TestCase("49015420323751,black,stolen,2026-12-24", "deadline '2026-12-24' is only allowed on the grey list, not on black")]
    [TestCase("49015420323751,grey,unverified,24.12.2026", "deadline '24.12.2026' is not a date such as 2026-12-24")]
    [TestCase("49015420323751,grey,unverified,2026-12-24T10:00:00", "deadline '2026-12-24T10:00:00' is not a date such as 2026-12-24 or a date-time with an offset")]
    [TestCase("49015420323751,grey,unverified,2026-02-30", "deadline '2026-02-30' is not a date")]
    [TestCase("49015420323751,grey,unverified,2200-01-01", "deadline '2200-01-01' is out of range")]
    [TestCase("49015420323751,white", "expected 4 columns (imei,list,reason,deadline; deadline may be empty) but found 2")]
    [TestCase("49015420323751,white,verified,,extra", "expected 4 columns")]
    public void Each_bad_line_is_reported_with_its_number_and_nothing_is_applied(string badLine, string expected)
    {
        string text = Valid() + badLine + "\n" + "35693803000001,white,legacy,\n";
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText(text, session);

        Assert.That(report.Succeeded, Is.False);
        Assert.That(report.Applied, Is.Zero);
        Assert.That(report.Errors, Has.Count.EqualTo(1));
        Assert.That(report.Errors[0].Line, Is.EqualTo(9));
        Assert.That(report.Errors[0].Reason, Does.StartWith(expected));
        Assert.That(report.Errors[0].ToString(), Does.StartWith("lists.csv:9: "));
        Assert.That(store.CountRecords(), Is.Zero);
    }

    [Test]
    public void Every_bad_line_is_reported_not_just_the_first()
    {
        string text = "imei,list,reason,deadline\n12345,white,verified,\n49015420323751,white,verified,\n49015420323751,nope,nope,\n";
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText(text, session);

        Assert.That(report.Errors.Select(e => e.Line), Is.EqualTo(new[] { 2, 4, 4 }));
        Assert.That(report.Errors[1].Reason, Does.StartWith("list 'nope'"));
        Assert.That(report.Errors[2].Reason, Does.StartWith("reason 'nope'"));
        Assert.That(store.CountRecords(), Is.Zero);
    }

    [Test]
    public void The_same_imei_twice_is_reported_with_both_line_numbers_even_in_another_form()
    {
        string text = "imei,list,reason\n49015420323751,white,verified\n# comment\n490154203237518,black,stolen\n";
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText(text, session);

        Assert.That(report.Errors, Has.Count.EqualTo(1));
        Assert.That(report.Errors[0].Line, Is.EqualTo(4));
        Assert.That(report.Errors[0].Reason, Is.EqualTo("imei '490154203237518' is listed twice: on line 2 and on line 4"));
        Assert.That(store.CountRecords(), Is.Zero);
    }

    [Test]
    public void A_grey_record_in_a_file_without_a_deadline_column_is_an_error()
    {
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText("imei,list,reason\n49015420323751,grey,unverified\n", session);

        Assert.That(report.Errors.Single().Reason, Is.EqualTo("a grey record needs a deadline, but the header has no deadline column"));
    }

    [TestCase("", 1, "the input is empty")]
    [TestCase("# only a comment\n\n", 2, "the input is empty")]
    [TestCase("49015420323751,white,verified\n", 1, "the header should be 'imei,list,reason' or 'imei,list,reason,deadline', found '49015420323751,white,verified'")]
    [TestCase("# lists\nimei,reason,list\n", 2, "the header should be")]
    public void A_missing_or_wrong_header_is_an_error(string text, int line, string expected)
    {
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = LoadText(text, session);

        Assert.That(report.Errors, Has.Count.EqualTo(1));
        Assert.That(report.Errors[0].Line, Is.EqualTo(line));
        Assert.That(report.Errors[0].Reason, Does.StartWith(expected));
    }

    [Test]
    public void Input_that_changes_between_validation_and_apply_stops_with_an_error()
    {
        int opened = 0;
        using var store = NewStore();
        using var session = store.NewSession();

        CsvLoadReport report = CsvListLoader.Load(
            () => new StringReader(opened++ == 0 ? Valid() : Valid().Replace("stolen", "bogus")), "lists.csv", session);

        Assert.That(report.Succeeded, Is.False);
        Assert.That(report.Errors.Last().Reason, Does.Contain("changed after it was validated"));
        Assert.That(report.Applied, Is.EqualTo(1));
    }

    [TestCase("2026-12-24", "2026-12-24T00:00:00+05:00")]
    [TestCase("2026-12-24T18:00:00+05:00", "2026-12-24T13:00:00Z")]
    [TestCase("2026-12-24T13:00Z", "2026-12-24T13:00:00Z")]
    [TestCase("2026-12-24 13:00:00.5+00:00", "2026-12-24T13:00:00Z")]
    public void Deadlines_parse_as_documented(string text, string expected)
    {
        Assert.That(CsvListLoader.TryParseDeadline(text, out uint seconds, out string? problem), Is.True, problem);
        Assert.That(DateTimeOffset.FromUnixTimeSeconds(seconds), Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
