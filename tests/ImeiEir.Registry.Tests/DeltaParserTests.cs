using System.Text;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary>One test per kind of bad line, CSV and NDJSON, each checking the line number and the reason.</summary>
public class DeltaParserTests
{
    private static readonly string A = TestData.Text(1), B = TestData.Text(2), C = TestData.Text(3);

    private static async Task<DeltaLineError> SingleErrorCsv(string header, string line)
    {
        DeltaBatch batch = await TestData.Csv($"{header}\n{line}\n");
        Assert.That(batch.Failure, Is.Null, () => batch.Failure!.Detail);
        Assert.That(batch.Errors, Has.Count.EqualTo(1), () => string.Join(" | ", batch.Lines));
        Assert.That(batch.Errors[0].Line, Is.EqualTo(2));
        return batch.Errors[0];
    }

    private static async Task<DeltaLineError> SingleErrorNdjson(string line)
    {
        DeltaBatch batch = await TestData.Ndjson($"{{\"imei\":\"{C}\",\"list\":\"white\",\"reason\":\"verified\"}}\n{line}\n");
        Assert.That(batch.Failure, Is.Null, () => batch.Failure!.Detail);
        Assert.That(batch.Errors, Has.Count.EqualTo(1));
        Assert.That(batch.Errors[0].Line, Is.EqualTo(2));
        return batch.Errors[0];
    }

    private const string Full = "op,imei,list,reason,deadline,new_imei";

    [Test]
    public async Task Csv_valid_lines_of_every_op()
    {
        DeltaBatch batch = await TestData.Csv($"{Full}\nset,{A},white,verified,,\n,{B},grey,unverified,2026-12-24,\nremove,{C},,,,\nreplace,{TestData.Text(4)},,,,{TestData.Text(5)}\n");
        Assert.That(batch.Errors, Is.Empty, () => string.Join(" | ", batch.Errors));
        Assert.That(batch.Lines.Select(l => (l.Line, l.Op)), Is.EqualTo(new[] { (2, DeltaOp.Set), (3, DeltaOp.Set), (4, DeltaOp.Remove), (5, DeltaOp.Replace) }));
        Assert.That(batch.Lines[1].DeadlineUnixSeconds, Is.EqualTo((uint)new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.FromHours(5)).ToUnixTimeSeconds()));
        Assert.That(batch.Lines[2].Reason, Is.EqualTo(Reason.Admin), "a remove without a reason records admin");
        Assert.That(batch.Lines[3].NewImei, Is.EqualTo(TestData.Imei(5)));
        Assert.That(batch.Lines[3].Reason, Is.EqualTo(Reason.ServiceReplacement));
    }

    [Test]
    public async Task A_bare_date_is_midnight_in_the_regime_calendar_given()
    {
        // The same file read in a registry whose Policy:TimeZone is Berlin: 2026-07-01 is 00:00 there (+02:00 in summer).
        RegimeCalendar berlin = RegimeCalendar.Create("Europe/Berlin", TimeSpan.FromHours(1));
        byte[] body = Encoding.UTF8.GetBytes($"imei,list,reason,deadline\n{A},grey,unverified,2026-07-01\n");
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(new MemoryStream(body), 10, long.MaxValue, berlin, CancellationToken.None);
        Assert.That(batch.Errors, Is.Empty, () => string.Join(" | ", batch.Errors));
        Assert.That(batch.Lines[0].DeadlineUnixSeconds, Is.EqualTo((uint)new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(2)).ToUnixTimeSeconds()));
    }

    [Test]
    public async Task Csv_header_in_another_order_and_without_op()
    {
        DeltaBatch batch = await TestData.Csv($"reason,deadline,imei,list\nstolen,,{A},black\nunverified,2027-01-01T12:00:00Z,{B},grey\n");
        Assert.That(batch.Errors, Is.Empty, () => string.Join(" | ", batch.Errors));
        Assert.That(batch.Lines[0], Is.EqualTo(new DeltaLine(2, DeltaOp.Set, TestData.Imei(1), ListKind.Black, Reason.Stolen, 0, default)));
        Assert.That(batch.Lines[1].DeadlineUnixSeconds, Is.EqualTo((uint)new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()));
    }

    [Test]
    public async Task Csv_initial_list_format_with_comments_crlf_and_bom_is_a_delta()
    {
        string text = "\uFEFF# demo list\r\nimei,list,reason,deadline\r\n35209900176148,white,verified,\r\n\r\n35693803564380,grey,unverified,2030-12-31\r\n";
        DeltaBatch batch = await TestData.Csv(text);
        Assert.That(batch.Failure, Is.Null);
        Assert.That(batch.Errors, Is.Empty, () => string.Join(" | ", batch.Errors));
        Assert.That(batch.Lines.Select(l => l.Line), Is.EqualTo(new[] { 3, 5 }), "physical line numbers, comments and blank lines counted");
        Assert.That(batch.Lines[1].List, Is.EqualTo(ListKind.Grey));
    }

    [Test]
    public async Task Csv_crlf_line_with_error_has_its_number()
    {
        DeltaBatch batch = await TestData.Csv($"imei,list,reason\r\n{A},white,verified\r\n{B},purple,verified\r\n");
        Assert.That(batch.Errors.Single().Line, Is.EqualTo(3));
        Assert.That(batch.Errors.Single().Reason, Does.Contain("list 'purple' is not a list"));
    }

    [Test]
    public async Task Bad_imei_length() =>
        Assert.That((await SingleErrorCsv("imei,list,reason", "12345,white,verified")).Reason, Does.Contain("'12345' is not an IMEI: expected 14, 15 or 16 digits"));

    [Test]
    public async Task Bad_imei_characters() =>
        Assert.That((await SingleErrorCsv("imei,list,reason", "35000000AB0001,white,verified")).Reason, Does.Contain("is not an IMEI"));

    [Test]
    public async Task Wrong_check_digit()
    {
        Imei imei = TestData.Imei(1);
        string wrong = imei.ToString14() + ((imei.CheckDigit + 1) % 10 == 0 ? 2 : (imei.CheckDigit + 1) % 10);
        Assert.That((await SingleErrorCsv("imei,list,reason", $"{wrong},white,verified")).Reason,
            Does.Contain($"has a wrong check digit: it should be {imei.CheckDigit}"));
    }

    [Test]
    public async Task Unknown_list() =>
        Assert.That((await SingleErrorCsv("imei,list,reason", $"{A},pink,verified")).Reason, Does.Contain("list 'pink' is not a list: expected white, grey or black"));

    [Test]
    public async Task Unknown_reason() =>
        Assert.That((await SingleErrorCsv("imei,list,reason", $"{A},white,because")).Reason, Does.Contain("reason 'because' is not a known reason"));

    [Test]
    public async Task Unknown_op() =>
        Assert.That((await SingleErrorCsv(Full, $"delete,{A},,,,")).Reason, Does.Contain("op 'delete' is not an operation: expected set, remove, replace, pair or unpair"));

    [Test]
    public async Task Grey_without_deadline() =>
        Assert.That((await SingleErrorCsv("imei,list,reason,deadline", $"{A},grey,unverified,")).Reason, Does.Contain("a grey record needs one"));

    [Test]
    public async Task Deadline_on_white() =>
        Assert.That((await SingleErrorCsv("imei,list,reason,deadline", $"{A},white,verified,2026-12-24")).Reason, Does.Contain("only allowed on the grey list, not on white"));

    [Test]
    public async Task Deadline_on_black() =>
        Assert.That((await SingleErrorCsv("imei,list,reason,deadline", $"{A},black,stolen,2026-12-24")).Reason, Does.Contain("not on black"));

    [Test]
    public async Task Deadline_unparsable() =>
        Assert.That((await SingleErrorCsv("imei,list,reason,deadline", $"{A},grey,unverified,24.12.2026")).Reason, Does.Contain("deadline '24.12.2026' is not a date such as 2026-12-24"));

    [Test]
    public async Task Wrong_column_count() =>
        Assert.That((await SingleErrorCsv("imei,list,reason", $"{A},white,verified,extra")).Reason, Does.Contain("expected 3 columns as in the header (imei,list,reason) but found 4"));

    [Test]
    public async Task Replace_without_new_imei() =>
        Assert.That((await SingleErrorCsv(Full, $"replace,{A},,,,")).Reason, Does.Contain("new_imei is empty"));

    [Test]
    public async Task Replace_onto_itself() =>
        Assert.That((await SingleErrorCsv(Full, $"replace,{A},,,,{TestData.Imei(1).ToString14()}")).Reason, Does.Contain("same device"));

    [Test]
    public async Task Remove_with_a_list() =>
        Assert.That((await SingleErrorCsv(Full, $"remove,{A},black,,,")).Reason, Does.Contain("not allowed on a remove"));

    [Test]
    public async Task Several_problems_of_one_line_are_joined()
    {
        DeltaLineError error = await SingleErrorCsv("imei,list,reason", "123,pink,because");
        Assert.That(error.Reason, Does.Contain("not an IMEI").And.Contain("not a list").And.Contain("not a known reason"));
    }

    [Test]
    public async Task Same_imei_twice_rejects_both_lines_naming_each_other()
    {
        // 14-digit and 15-digit forms of one device are the same IMEI.
        DeltaBatch batch = await TestData.Csv($"imei,list,reason\n{A},white,verified\n{B},white,verified\n{TestData.Imei(1).ToString14()},black,stolen\n");
        Assert.That(batch.Lines.Select(l => l.Line), Is.EqualTo(new[] { 3 }));
        Assert.That(batch.Errors.Select(e => e.Line), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(batch.Errors[0].Reason, Does.Contain("also on line 4"));
        Assert.That(batch.Errors[1].Reason, Does.Contain("also on line 2"));
    }

    [Test]
    public async Task Replace_new_imei_counts_as_a_mention()
    {
        DeltaBatch batch = await TestData.Csv($"{Full}\nreplace,{A},,,,{B}\nset,{B},white,verified,,\n");
        Assert.That(batch.Errors.Select(e => e.Line), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(batch.Lines, Is.Empty);
    }

    [Test]
    public async Task Overlong_line_is_a_bad_line()
    {
        DeltaBatch batch = await TestData.Csv($"imei,list,reason\n{A},white,{new string('x', 5000)}\n{B},white,verified\n");
        Assert.That(batch.Errors.Single().Line, Is.EqualTo(2));
        Assert.That(batch.Errors.Single().Reason, Does.Contain("longer than 4096 bytes"));
        Assert.That(batch.Lines.Single().Line, Is.EqualTo(3));
    }

    [Test]
    public async Task Line_split_across_read_chunks_is_whole()
    {
        // 64 KiB chunks: put a line across the boundary.
        var text = new StringBuilder("imei,list,reason\n");
        int serial = 10;
        while (text.Length < 70_000) text.Append(TestData.Text(serial++)).Append(",white,verified\n");
        DeltaBatch batch = await TestData.Csv(text.ToString());
        Assert.That(batch.Errors, Is.Empty, () => batch.Errors[0].ToString());
        Assert.That(batch.Lines, Has.Count.EqualTo(serial - 10));
    }

    // ------------------------------------------------------------- whole-body failures

    [Test]
    public async Task Empty_body()
    {
        Assert.That((await TestData.Csv("")).Failure!.Kind, Is.EqualTo(DeltaFailureKind.Empty));
        Assert.That((await TestData.Ndjson("")).Failure!.Kind, Is.EqualTo(DeltaFailureKind.Empty));
        Assert.That((await TestData.Csv("# only a comment\n\n")).Failure!.Kind, Is.EqualTo(DeltaFailureKind.Empty));
    }

    [Test]
    public async Task Header_without_data_lines()
    {
        DeltaBatch batch = await TestData.Csv("imei,list,reason\n");
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.Empty));
        Assert.That(batch.Failure.Detail, Does.Contain("no data lines"));
    }

    [Test]
    public async Task Missing_header()
    {
        DeltaBatch batch = await TestData.Csv($"{A},white,verified\n");
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.BadHeader));
        Assert.That(batch.Failure.Detail, Does.Contain("should be the header"));
    }

    [Test]
    public async Task Header_with_unknown_or_repeated_column_or_no_imei()
    {
        Assert.That((await TestData.Csv("imei,colour\n")).Failure!.Detail, Does.Contain("unknown column 'colour'"));
        Assert.That((await TestData.Csv("imei,list,list\n")).Failure!.Detail, Does.Contain("'list' twice"));
        Assert.That((await TestData.Csv("list,reason\n")).Failure!.Detail, Does.Contain("no 'imei' column"));
    }

    [Test]
    public async Task Binary_garbage_is_not_text()
    {
        byte[] garbage = new byte[10_000];
        new Random(7).NextBytes(garbage);
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(new MemoryStream(garbage), 1000, CancellationToken.None);
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.NotText));
        Assert.That(batch.Failure.Detail, Does.StartWith("the body is not text"));
    }

    [Test]
    public async Task Invalid_utf8_names_its_line()
    {
        byte[] body = [.. "imei,list,reason\n"u8, .. Encoding.ASCII.GetBytes(A), .. ",white,verified\n"u8, .. Encoding.ASCII.GetBytes(B), .. ",white,ver"u8, 0xC3, 0x28, .. "ified\n"u8];
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(new MemoryStream(body), 1000, CancellationToken.None);
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.NotText));
        Assert.That(batch.Failure.Detail, Does.Contain("line 3 is not valid UTF-8"));
    }

    [Test]
    public async Task More_lines_than_allowed()
    {
        DeltaBatch batch = await TestData.Csv($"imei,list,reason\n{A},white,verified\n{B},white,verified\n{C},white,verified\n", maxLines: 2);
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.TooManyLines));
        Assert.That(batch.Failure.Detail, Does.Contain("more than 2 data lines"));
    }

    [Test]
    public async Task More_bytes_than_allowed()
    {
        byte[] body = Encoding.UTF8.GetBytes($"imei,list,reason\n{A},white,verified\n{B},white,verified\n");
        DeltaBatch batch = await DeltaParser.ParseCsvAsync(new MemoryStream(body), 1000, maxBytes: 40, CancellationToken.None);
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.TooLarge));
    }

    // ------------------------------------------------------------- NDJSON

    [Test]
    public async Task Ndjson_valid_lines()
    {
        DeltaBatch batch = await TestData.Ndjson(
            $"{{\"op\":\"set\",\"imei\":\"{A}\",\"list\":\"grey\",\"reason\":\"unverified\",\"deadline\":\"2026-12-24\"}}\r\n" +
            $"\r\n{{\"imei\":\"{B}\",\"list\":\"black\",\"reason\":\"stolen\",\"deadline\":null}}\n" +
            $"{{\"op\":\"replace\",\"imei\":\"{C}\",\"new_imei\":\"{TestData.Text(4)}\"}}");
        Assert.That(batch.Errors, Is.Empty, () => string.Join(" | ", batch.Errors));
        Assert.That(batch.Lines.Select(l => (l.Line, l.Op, l.List)), Is.EqualTo(new[] { (1, DeltaOp.Set, ListKind.Grey), (3, DeltaOp.Set, ListKind.Black), (4, DeltaOp.Replace, ListKind.None) }));
    }

    [Test]
    public async Task Ndjson_not_an_object() =>
        Assert.That((await SingleErrorNdjson("[1,2]")).Reason, Does.Contain("is not a JSON object"));

    [Test]
    public async Task Ndjson_invalid_json() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":\"{A}\",")).Reason, Does.Contain("is not valid JSON"));

    [Test]
    public async Task Ndjson_unknown_property() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":\"{A}\",\"colour\":\"red\"}}")).Reason, Does.Contain("unknown property 'colour'"));

    [Test]
    public async Task Ndjson_number_instead_of_string() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":{A},\"list\":\"white\",\"reason\":\"verified\"}}")).Reason, Does.Contain("'imei' must be a string"));

    [Test]
    public async Task Ndjson_bad_imei() =>
        Assert.That((await SingleErrorNdjson("{\"imei\":\"1234\",\"list\":\"white\",\"reason\":\"verified\"}")).Reason, Does.Contain("'1234' is not an IMEI"));

    [Test]
    public async Task Ndjson_unknown_list_and_reason() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":\"{A}\",\"list\":\"blue\",\"reason\":\"why\"}}")).Reason, Does.Contain("'blue' is not a list").And.Contain("'why' is not a known reason"));

    [Test]
    public async Task Ndjson_grey_without_deadline() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":\"{A}\",\"list\":\"grey\",\"reason\":\"unverified\"}}")).Reason, Does.Contain("a grey record needs one"));

    [Test]
    public async Task Ndjson_duplicate_imei()
    {
        DeltaBatch batch = await TestData.Ndjson($"{{\"imei\":\"{A}\",\"list\":\"white\",\"reason\":\"verified\"}}\n{{\"op\":\"remove\",\"imei\":\"{A}\"}}\n");
        Assert.That(batch.Errors.Select(e => e.Line), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task Ndjson_trailing_content_after_the_object() =>
        Assert.That((await SingleErrorNdjson($"{{\"imei\":\"{A}\",\"list\":\"white\",\"reason\":\"verified\"}} {{}}")).Reason, Does.Contain("JSON"));

    [Test]
    public async Task Ndjson_binary_garbage()
    {
        byte[] body = [.. "{\"imei\":\"x\"}\n"u8, 0x00, 0x01, 0xFF];
        DeltaBatch batch = await DeltaParser.ParseNdjsonAsync(new MemoryStream(body), 1000, CancellationToken.None);
        Assert.That(batch.Failure!.Kind, Is.EqualTo(DeltaFailureKind.NotText));
        Assert.That(batch.Failure.Detail, Does.Contain("line 2"));
    }
}
