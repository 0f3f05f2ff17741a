using System.IO.Pipelines;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>
/// The answers of <c>POST /v1/deltas</c> once the delta was applied or refused for its lines, streamed and flushed
/// every 4,096 lines (a 1M-line report is ~60 MB).
/// </summary>
internal static class DeltaReportJson
{
    /// <summary>422: the atomic batch had bad lines; every one, streamed (a million bad lines is still bounded output per flush).</summary>
    public static async Task WriteBadLinesAsync(HttpContext context, DeltaReport report, int lineCount)
    {
        ApiProblems.Log(context, 422, $"{report.Rejected} of {lineCount} delta lines are bad");
        HttpResponse response = context.Response;
        response.StatusCode = 422;
        response.ContentType = ApiProblems.ContentType;
        PipeWriter body = response.BodyWriter;
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteString("title", "The delta has bad lines");
        json.WriteNumber("status", 422);
        json.WriteString("detail", $"{report.Rejected} of {lineCount} lines are bad, so nothing was applied (the batch is atomic; add ?partial=true to apply the good lines and reject only these)");
        await StreamedJsonArray.WriteAsync(json, "errors", report.Lines, static (json, line) =>
        {
            json.WriteStartObject();
            json.WriteNumber("line", line.Line);
            json.WriteString("reason", line.Reason);
            json.WriteEndObject();
        }, context.RequestAborted);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// 200: the summary first, then one object per line, flushed as it goes. A dry run's says <c>"dryRun": true</c>
    /// (nothing was written; "applied" means would be applied).
    /// </summary>
    public static async Task WriteReportAsync(HttpContext context, DeltaReport report, bool dryRun = false)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        WriteSummary(json, report);
        if (dryRun) json.WriteBoolean("dryRun", true);
        await StreamedJsonArray.WriteAsync(json, "lines", report.Lines, WriteLine, context.RequestAborted);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// The 200 report as bytes, for the push journal: whole when it fits <paramref name="maxBytes"/>, else the
    /// summary with no lines and <c>"linesOmitted": true</c> (a retry's answer stays bounded).
    /// </summary>
    public static byte[] ReportBytes(DeltaReport report, int maxBytes)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSummary(json, report);
            json.WriteStartArray("lines");
            foreach (DeltaLineOutcome line in report.Lines)
            {
                WriteLine(json, line);
                if (json.BytesPending + json.BytesCommitted > maxBytes) break;
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (buffer.WrittenCount <= maxBytes) return buffer.WrittenSpan.ToArray();
        buffer.Clear();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSummary(json, report);
            json.WriteBoolean("linesOmitted", true);
            json.WriteStartArray("lines");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteSummary(Utf8JsonWriter json, DeltaReport report)
    {
        json.WriteStartObject();
        json.WriteBoolean("accepted", report.Accepted);
        json.WriteNumber("applied", report.Applied);
        json.WriteNumber("unchanged", report.Unchanged);
        json.WriteNumber("rejected", report.Rejected);
        WriteSequence(json, "firstSequence", report.FirstSequence);
        WriteSequence(json, "lastSequence", report.LastSequence);
    }

    private static void WriteLine(Utf8JsonWriter json, DeltaLineOutcome line)
    {
        json.WriteStartObject();
        json.WriteNumber("line", line.Line);
        json.WriteString("outcome", line.Outcome switch
        {
            DeltaOutcome.Applied => "applied",
            DeltaOutcome.Unchanged => "unchanged",
            _ => "rejected",
        });
        if (line.Imei is Imei imei) json.WriteString("imei", imei.ToString());
        if (line.Sequence != 0) json.WriteNumber("sequence", line.Sequence);
        if (line.NewImeiSequence != 0) json.WriteNumber("newImeiSequence", line.NewImeiSequence);
        if (line.Reason is not null) json.WriteString("reason", line.Reason);
        json.WriteEndObject();
    }

    private static void WriteSequence(Utf8JsonWriter json, string name, ulong sequence)
    {
        if (sequence == 0) json.WriteNull(name);
        else json.WriteNumber(name, sequence);
    }
}
