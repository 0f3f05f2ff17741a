using System.Text;
using ImeiEir.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// «Все устройства, подключённые к сети до 25.05.2025, автоматически занесены в Белый список.» The legacy import:
/// the dump's forms, the rule per line, and the import through a real registry (idempotent, black stays black).
/// </summary>
public class LegacyImportTests
{
    private static readonly RegimeCalendar s_calendar = RegimeCalendar.Create("Asia/Almaty", TimeSpan.FromHours(5));

    /// <summary>The default Policy:RegimeStart, 2025-05-25 00:00 +05:00.</summary>
    private static readonly long s_regimeStart = new PolicyOptions().RegimeStart.ToUnixTimeSeconds();

    private static readonly Attribution s_admin = new("admin", "legacy dump of operator A");

    [TestCase(ListKind.None, LegacyOutcome.Imported)]
    [TestCase(ListKind.Grey, LegacyOutcome.Imported)]
    [TestCase(ListKind.White, LegacyOutcome.Unchanged)]
    [TestCase(ListKind.Black, LegacyOutcome.KeptBlack)]
    public void A_device_first_seen_before_the_regime_start_follows_its_current_list(ListKind current, LegacyOutcome expected) =>
        Assert.That(LegacyImport.Decide(current, s_regimeStart - 1, s_regimeStart), Is.EqualTo(expected));

    [TestCase(ListKind.None)]
    [TestCase(ListKind.Grey)]
    [TestCase(ListKind.Black)]
    public void A_device_first_seen_at_or_after_the_regime_start_is_too_late_whatever_its_list(ListKind current)
    {
        Assert.That(LegacyImport.Decide(current, s_regimeStart, s_regimeStart), Is.EqualTo(LegacyOutcome.TooLate));
        Assert.That(LegacyImport.Decide(current, s_regimeStart + 86_400, s_regimeStart), Is.EqualTo(LegacyOutcome.TooLate));
    }

    [TestCase("2025-05-24", "2025-05-24T00:00:00+05:00")]
    [TestCase("2025-05-24T23:59", "2025-05-24T23:59:00+05:00")]
    [TestCase("2025-05-24 23:59:59", "2025-05-24T23:59:59+05:00")]
    [TestCase("2025-05-24T19:00:00Z", "2025-05-25T00:00:00+05:00")]
    [TestCase("2025-05-24T23:00:00+04:00", "2025-05-25T00:00:00+05:00")]
    public void First_seen_is_a_date_or_a_local_date_time_in_the_regime_zone_or_one_with_an_offset(string text, string instant)
    {
        Assert.That(LegacyDumpParser.TryParseFirstSeen(text, s_calendar, out long seconds), Is.True, text);
        Assert.That(seconds, Is.EqualTo(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds()));
    }

    [TestCase("35000000000001", "expected imei,first_seen[,imsi]")]
    [TestCase("3500000000,2025-01-01", "imei '3500000000' is not 14, 15 or 16 digits")]
    [TestCase("350000000000011,2025-01-01", "wrong check digit")]
    [TestCase("35000000000001,", "first_seen is empty")]
    [TestCase("35000000000001,24.05.2025", "first_seen '24.05.2025' is not")]
    [TestCase("35000000000001,2025-01-01,40101x", "imsi '40101x' is not an IMSI")]
    [TestCase("35000000000001,2025-01-01,401011234567890,extra", "too many fields")]
    public void A_bad_line_says_what_is_wrong(string line, string problem)
    {
        Assert.That(LegacyDumpParser.TryParseLine(line, s_calendar, out _, out _, out string? reason), Is.False);
        Assert.That(reason, Does.Contain(problem));
    }

    [Test]
    public async Task The_header_is_optional_and_line_numbers_count_it_and_blank_lines()
    {
        LegacyDump withHeader = await ParseAsync($"IMEI,first_seen,imsi\r\n{TestData.Text(1)},2025-01-01,401011234567890\r\n\r\nnonsense\n");
        Assert.That(withHeader.Entries.Select(e => (e.Line, e.Imei)), Is.EqualTo(new[] { (2, TestData.Imei(1)) }));
        Assert.That(withHeader.Errors.Select(e => e.Line), Is.EqualTo(new[] { 4 }));

        LegacyDump without = await ParseAsync($"{TestData.Text(1)},2025-01-01\n{TestData.Text(2)},2025-02-01\n");
        Assert.That(without.Entries.Select(e => e.Line), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(without.Errors, Is.Empty);
    }

    [Test]
    public async Task A_dump_over_the_line_limit_is_refused_as_a_whole()
    {
        LegacyDump dump = await LegacyDumpParser.ParseAsync(Body($"{TestData.Text(1)},2025-01-01\n{TestData.Text(2)},2025-01-01\n"), 1, s_calendar, CancellationToken.None);
        Assert.That(dump.Failure, Does.Contain("Registry:MaxDeltaLines"));
        Assert.That(dump.Entries, Is.Empty);
    }

    [Test]
    public async Task Import_whitelists_legacy_devices_keeps_black_reports_late_and_bad_lines_and_a_second_run_writes_nothing()
    {
        using var dir = new TempDirectory();
        await using RegistryService registry = await TestData.OpenAsync(dir.Path);
        // 3 is black (stolen), 4 white (verified), 5 grey: their lists before the dump arrives.
        await TestData.PushCsvAsync(registry,
            $"imei,list,reason,deadline\n{TestData.Text(3)},black,stolen,\n{TestData.Text(4)},white,verified,\n{TestData.Text(5)},grey,unverified,2026-01-01\n");
        ulong before = registry.LastSequence;

        string dump = $"imei,first_seen,imsi\n"
            + $"{TestData.Text(1)},2024-03-01,401011234567890\n"   // line 2: unknown, legacy
            + $"{TestData.Text(2)},2025-05-25T00:00:00+05:00\n"    // line 3: at the regime start: too late
            + $"{TestData.Text(3)},2020-01-01\n"                   // line 4: black stays black
            + $"{TestData.Text(4)},2020-01-01\n"                   // line 5: white stays
            + $"{TestData.Text(5)},2025-05-24T23:59:59\n"          // line 6: grey becomes white legacy
            + "123,2020-01-01\n";                                  // line 7: bad

        LegacyImportReport first = await ImportAsync(registry, dump);
        Assert.That((first.Imported, first.Unchanged, first.KeptBlack, first.TooLate, first.Rejected), Is.EqualTo((2, 1, 1, 1, 1)));
        Assert.That(first.Lines.Select(l => (l.Line, l.Outcome)),
            Is.EqualTo(new (int, LegacyOutcome?)[] { (3, LegacyOutcome.TooLate), (4, LegacyOutcome.KeptBlack), (7, null) }));
        Assert.That((first.FirstSequence, first.LastSequence), Is.EqualTo((before + 1, before + 2)));
        Assert.That(Record(registry, 1), Is.EqualTo((ListKind.White, Reason.Legacy)));
        Assert.That(registry.TryGet(TestData.Imei(2), out _), Is.False);
        Assert.That(Record(registry, 3), Is.EqualTo((ListKind.Black, Reason.Stolen)));
        Assert.That(Record(registry, 4), Is.EqualTo((ListKind.White, Reason.Verified)));
        Assert.That(Record(registry, 5), Is.EqualTo((ListKind.White, Reason.Legacy)));

        LegacyImportReport second = await ImportAsync(registry, dump);
        Assert.That((second.Imported, second.Unchanged, second.KeptBlack, second.TooLate, second.Rejected), Is.EqualTo((0, 3, 1, 1, 1)));
        Assert.That((second.FirstSequence, registry.LastSequence), Is.EqualTo((0UL, before + 2)));
    }

    private static async Task<LegacyImportReport> ImportAsync(RegistryService registry, string dump) =>
        await LegacyImporter.ImportAsync(registry, await ParseAsync(dump), s_regimeStart, s_admin, NullLogger.Instance, CancellationToken.None);

    private static (ListKind, Reason) Record(RegistryService registry, long serial)
    {
        Assert.That(registry.TryGet(TestData.Imei(serial), out ImeiRecord record), Is.True, $"IMEI {serial} has no record");
        return (record.List, record.Reason);
    }

    private static Task<LegacyDump> ParseAsync(string text) =>
        LegacyDumpParser.ParseAsync(Body(text), 1_000_000, s_calendar, CancellationToken.None);

    private static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));
}
