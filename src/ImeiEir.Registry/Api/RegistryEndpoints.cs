using System.IO.Pipelines;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ImeiEir.Registry;

/// <summary>
/// The registry HTTP API (minimal APIs). Every error is <c>application/problem+json</c> with a <c>detail</c>
/// sentence; tokens are never echoed.
/// <code>
/// POST /v1/deltas[?partial=true]  admin    text/csv | application/x-ndjson → 200 report | 400 | 401 | 413 | 415 | 422
/// GET  /v1/imei/{imei}            reader   → 200 record + history | 400 | 401 | 404
/// GET  /v1/feed?after=SEQ         reader   → 200 endless stream (FeedFormat; NDJSON on Accept) | 400 | 401 | 409
/// GET  /v1/snapshot               reader   → 200 SnapshotFormat | 401
/// POST /v1/sightings              reader   SightingCodec records → 200 counts | 400 | 401 | 413 | 415 | 503
/// </code>
/// "reader" endpoints accept the admin token too. Tokens: <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public static partial class RegistryEndpoints
{
    private const string ProblemContentType = "application/problem+json";
    private const int FeedBatch = 1024;

    /// <summary>
    /// Maps the registry API. Handlers resolve the singleton <see cref="RegistryService"/> from the request's
    /// services; its <see cref="RegistryService.Options"/> are the options in force.
    /// </summary>
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/v1/deltas", PostDeltasAsync);
        endpoints.MapGet("/v1/imei/{imei}", GetImeiAsync);
        endpoints.MapGet("/v1/feed", GetFeedAsync);
        endpoints.MapGet("/v1/snapshot", GetSnapshotAsync);
        endpoints.MapPost("/v1/sightings", PostSightingsAsync);
        return endpoints;
    }

    // ---------------------------------------------------------------- POST /v1/deltas

    private static async Task PostDeltasAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        RegistryOptions options = registry.Options;
        if (!IsAuthorized(context, registry, adminOnly: true))
        {
            await UnauthorizedAsync(context, "POST /v1/deltas needs the admin token: Authorization: Bearer <admin token>");
            return;
        }

        if (!TryReadFlag(context.Request.Query["partial"], out bool partial))
        {
            await ProblemAsync(context, 400, "Bad query", "partial must be true or false");
            return;
        }

        DeltaFormat format;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out MediaTypeHeaderValue? mediaType))
        {
            await ProblemAsync(context, 415, "Unsupported media type", "send the delta as Content-Type: text/csv or application/x-ndjson");
            return;
        }
        if (mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) format = DeltaFormat.Csv;
        else if (mediaType.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
                 || mediaType.MediaType.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)) format = DeltaFormat.Ndjson;
        else
        {
            await ProblemAsync(context, 415, "Unsupported media type", $"Content-Type {mediaType.MediaType} is not a delta: send text/csv or application/x-ndjson");
            return;
        }
        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            await ProblemAsync(context, 415, "Unsupported media type", $"charset {mediaType.Charset} is not supported: a delta is UTF-8");
            return;
        }

        if (context.Request.ContentLength > options.MaxDeltaBytes)
        {
            await ProblemAsync(context, 413, "Delta too large", $"the body has {context.Request.ContentLength} bytes, over the limit of {options.MaxDeltaBytes} (Registry:MaxDeltaBytes); split the delta");
            return;
        }
        // Kestrel's own default limit (30 MB) would cut a legitimate large delta; ours applies instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxDeltaBytes;

        DeltaBatch batch;
        try
        {
            batch = await DeltaParser.ParseAsync(context.Request.Body, format, options.MaxDeltaLines, options.MaxDeltaBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ProblemAsync(context, 413, "Delta too large", $"the body is over the limit of {options.MaxDeltaBytes} bytes (Registry:MaxDeltaBytes); split the delta");
            return;
        }

        if (batch.Failure is { } failure)
        {
            bool tooLarge = failure.Kind is DeltaFailureKind.TooLarge or DeltaFailureKind.TooManyLines;
            await ProblemAsync(context, tooLarge ? 413 : 400, tooLarge ? "Delta too large" : "Unreadable delta", failure.Detail);
            return;
        }

        DeltaReport report;
        try
        {
            report = await registry.ApplyAsync(batch, partial, context.RequestAborted);
        }
        catch (ObjectDisposedException)
        {
            await ProblemAsync(context, 503, "Registry unavailable", "the registry is shutting down; nothing was applied");
            return;
        }
        catch (InvalidOperationException e)
        {
            await ProblemAsync(context, 503, "Registry unavailable", e.Message);
            return;
        }

        if (!report.Accepted)
        {
            await BadLinesAsync(context, report, batch.LineCount);
            return;
        }
        await WriteReportAsync(context, report);
    }

    private static bool TryReadFlag(string? text, out bool value)
    {
        value = false;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1") { value = true; return true; }
        return text.Equals("false", StringComparison.OrdinalIgnoreCase) || text == "0";
    }

    /// <summary>422: the atomic batch had bad lines; every one, streamed (a million bad lines is still bounded output per flush).</summary>
    private static async Task BadLinesAsync(HttpContext context, DeltaReport report, int lineCount)
    {
        Log(context, 422, $"{report.Rejected} of {lineCount} delta lines are bad");
        HttpResponse response = context.Response;
        response.StatusCode = 422;
        response.ContentType = ProblemContentType;
        PipeWriter body = response.BodyWriter;
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteString("title", "The delta has bad lines");
        json.WriteNumber("status", 422);
        json.WriteString("detail", $"{report.Rejected} of {lineCount} lines are bad, so nothing was applied (the batch is atomic; add ?partial=true to apply the good lines and reject only these)");
        json.WriteStartArray("errors");
        int pending = 0;
        foreach (DeltaLineOutcome line in report.Lines)
        {
            json.WriteStartObject();
            json.WriteNumber("line", line.Line);
            json.WriteString("reason", line.Reason);
            json.WriteEndObject();
            if (++pending == 4096)
            {
                pending = 0;
                await json.FlushAsync(context.RequestAborted);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>200: the summary first, then one object per line, flushed as it goes (a 1M-line report is ~60 MB).</summary>
    private static async Task WriteReportAsync(HttpContext context, DeltaReport report)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteBoolean("accepted", report.Accepted);
        json.WriteNumber("applied", report.Applied);
        json.WriteNumber("unchanged", report.Unchanged);
        json.WriteNumber("rejected", report.Rejected);
        WriteSequence(json, "firstSequence", report.FirstSequence);
        WriteSequence(json, "lastSequence", report.LastSequence);
        json.WriteStartArray("lines");
        int pending = 0;
        foreach (DeltaLineOutcome line in report.Lines)
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
            if (++pending == 4096)
            {
                pending = 0;
                await json.FlushAsync(context.RequestAborted);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteSequence(Utf8JsonWriter json, string name, ulong sequence)
    {
        if (sequence == 0) json.WriteNull(name);
        else json.WriteNumber(name, sequence);
    }

    // ---------------------------------------------------------------- GET /v1/imei/{imei}

    private static async Task GetImeiAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!IsAuthorized(context, registry, adminOnly: false))
        {
            await UnauthorizedAsync(context, "GET /v1/imei needs the reader or admin token: Authorization: Bearer <token>");
            return;
        }

        string text = context.Request.RouteValues["imei"] as string ?? "";
        switch (Imei.TryParse(text.AsSpan(), out Imei imei))
        {
            case ImeiParseResult.Malformed:
                await ProblemAsync(context, 400, "Not an IMEI", $"'{DeltaLineReader.Shorten(text)}' is not an IMEI: expected 14, 15 or 16 digits");
                return;
            case ImeiParseResult.BadCheckDigit:
                await ProblemAsync(context, 400, "Not an IMEI", $"'{text}' has a wrong check digit: it should be {imei.CheckDigit}");
                return;
        }

        if (!registry.TryGetAny(imei, out ImeiRecord record) || record.Sequence == 0)
        {
            await ProblemAsync(context, 404, "Unknown IMEI", $"IMEI {imei} has never been on a registry list");
            return;
        }

        var history = new List<Change>();
        await foreach (Change change in registry.GetHistoryAsync(imei, context.RequestAborted)) history.Add(change);

        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("imei", imei.ToString());
        json.WriteString("list", record.List.ToName());
        json.WriteString("reason", record.Reason.ToName());
        WriteDeadline(json, record.DeadlineUnixSeconds);
        json.WriteNumber("sequence", record.Sequence);
        json.WriteStartArray("history");
        foreach (Change change in history)
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", change.Sequence);
            WriteChangeFields(json, change);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteChangeFields(Utf8JsonWriter json, in Change change)
    {
        json.WriteString("op", change.Op == ChangeOp.Remove ? "remove" : "set");
        json.WriteString("list", change.List.ToName());
        json.WriteString("reason", change.Reason.ToName());
        WriteDeadline(json, change.DeadlineUnixSeconds);
        json.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(change.TimeUnixMilliseconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("origin", change.Origin switch
        {
            ChangeOrigin.Admin => "admin",
            ChangeOrigin.Lifecycle => "lifecycle",
            _ => "sighting",
        });
        if (change.RelatedImeiKey == 0) json.WriteNull("relatedImei");
        else json.WriteString("relatedImei", Imei.FromKey(change.RelatedImeiKey).ToString());
    }

    /// <summary>A deadline as admins write it: the Almaty (UTC+05:00) date-time, e.g. 2026-12-24T00:00:00+05:00.</summary>
    private static void WriteDeadline(Utf8JsonWriter json, uint unixSeconds)
    {
        if (unixSeconds == 0) json.WriteNull("deadline");
        else json.WriteString("deadline", DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(DeadlineText.DateOffset)
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
    }

    // ---------------------------------------------------------------- GET /v1/feed

    private static async Task GetFeedAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!IsAuthorized(context, registry, adminOnly: false))
        {
            await UnauthorizedAsync(context, "GET /v1/feed needs the reader token: Authorization: Bearer <reader token>");
            return;
        }

        ulong after = 0;
        string? afterText = context.Request.Query["after"];
        if (!string.IsNullOrEmpty(afterText)
            && !ulong.TryParse(afterText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after))
        {
            await ProblemAsync(context, 400, "Bad query", $"after must be a change number (0 or more), found '{DeltaLineReader.Shorten(afterText)}'");
            return;
        }
        ulong last = registry.LastSequence;
        if (after > last)
        {
            await ProblemAsync(context, 409, "Ahead of the registry",
                $"the node asks for changes after {after} but the registry's last change is {last}: the node's state is not the registry's; bootstrap it again from /v1/snapshot");
            return;
        }

        bool ndjson = WantsNdjson(context.Request);
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = ndjson ? FeedFormat.NdjsonContentType : FeedFormat.ContentType;
        response.Headers.CacheControl = "no-store";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        ILogger? logger = Logger(context);
        if (logger is not null) RegistryLog.FeedOpened(logger, after, ndjson ? "ndjson" : "binary");

        // A feed never ends by itself: end it when the node goes or when the host stops (graceful shutdown would
        // otherwise wait for every follower until its timeout).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);
        CancellationToken ct = ended.Token;
        PipeWriter body = response.BodyWriter;
        var changes = new Change[FeedBatch];
        var feed = new FeedWriter(body, ndjson);
        registry.FeedStarted();
        try
        {
            feed.Heartbeat(registry.LastSequence, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
            if ((await body.FlushAsync(ct)).IsCompleted) return;
            ulong position = after;
            while (!ct.IsCancellationRequested)
            {
                int count = await registry.ReadChangesAsync(position, changes, registry.Options.HeartbeatInterval, ct);
                if (count == 0)
                {
                    feed.Heartbeat(registry.LastSequence, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
                }
                else
                {
                    for (int i = 0; i < count; i++) feed.Change(changes[i]);
                    position = changes[count - 1].Sequence;
                }
                FlushResult flushed = await body.FlushAsync(ct);
                if (flushed.IsCompleted || flushed.IsCanceled) return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the node went away: the normal end of a feed
        }
        catch (ObjectDisposedException)
        {
            // the registry is shutting down: end the stream; the node reconnects
        }
        finally
        {
            registry.FeedEnded();
        }
    }

    private static bool WantsNdjson(HttpRequest request)
    {
        foreach (string? accept in request.Headers.Accept)
        {
            if (accept is null) continue;
            if (accept.Contains(FeedFormat.NdjsonContentType, StringComparison.OrdinalIgnoreCase)
                || accept.Contains("application/ndjson", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Writes feed frames straight into the response pipe: binary FeedFormat frames, or NDJSON lines.</summary>
    private sealed class FeedWriter(PipeWriter body, bool ndjson)
    {
        private readonly Utf8JsonWriter? _json = ndjson ? new Utf8JsonWriter(body) : null;

        public void Heartbeat(ulong head, long nowMs)
        {
            if (_json is null)
            {
                FeedFormat.WriteHeartbeat(head, nowMs, body.GetSpan(FeedFormat.HeartbeatFrameSize));
                body.Advance(FeedFormat.HeartbeatFrameSize);
                return;
            }
            _json.Reset(body);
            _json.WriteStartObject();
            _json.WriteString("type", "heartbeat");
            _json.WriteNumber("head", head);
            _json.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(nowMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            _json.WriteEndObject();
            EndLine();
        }

        public void Change(in Change change)
        {
            if (_json is null)
            {
                FeedFormat.WriteChange(change, body.GetSpan(FeedFormat.ChangeFrameSize));
                body.Advance(FeedFormat.ChangeFrameSize);
                return;
            }
            _json.Reset(body);
            _json.WriteStartObject();
            _json.WriteString("type", "change");
            _json.WriteNumber("sequence", change.Sequence);
            _json.WriteString("imei", change.Imei.ToString());
            WriteChangeFields(_json, change);
            _json.WriteEndObject();
            EndLine();
        }

        private void EndLine()
        {
            _json!.Flush();
            body.GetSpan(1)[0] = (byte)'\n';
            body.Advance(1);
        }
    }

    // ---------------------------------------------------------------- GET /v1/snapshot

    private static async Task GetSnapshotAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!IsAuthorized(context, registry, adminOnly: false))
        {
            await UnauthorizedAsync(context, "GET /v1/snapshot needs the reader token: Authorization: Bearer <reader token>");
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = SnapshotFormat.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        try
        {
            await registry.WriteSnapshotAsync(context.Response.Body, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    // ---------------------------------------------------------------- tokens and problems

    /// <summary>
    /// True when the request carries the registry's admin token: for other APIs on the registry's admin port (the
    /// notifier's), so one token guards everything there.
    /// </summary>
    public static bool HasAdminToken(HttpContext context, RegistryService registry)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(registry);
        return IsAuthorized(context, registry, adminOnly: true);
    }

    /// <summary>
    /// Bearer token check, constant time: both tokens are always compared, so timing tells neither which token
    /// nor how much of one matched. Reader endpoints accept the admin token too.
    /// </summary>
    private static bool IsAuthorized(HttpContext context, RegistryService registry, bool adminOnly)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || header.Length <= 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        ReadOnlySpan<char> token = header.AsSpan(7).Trim();
        bool admin = RegistryTokens.Matches(token, registry.AdminToken);
        bool reader = RegistryTokens.Matches(token, registry.ReaderToken);
        return admin || (reader && !adminOnly);
    }

    private static Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemAsync(context, 401, "Unauthorized", detail);
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        Log(context, status, detail);
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ProblemContentType;
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("title", title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void Log(HttpContext context, int status, string detail)
    {
        if (Logger(context) is ILogger logger)
            RegistryLog.Refused(logger, context.Request.Method, context.Request.Path.Value ?? "", status, detail);
    }

    private static ILogger? Logger(HttpContext context) =>
        context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("ImeiEir.Registry.Api");
}
