using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace ImeiEir.Registry;

/// <summary>
/// <c>POST /v1/deltas[?partial=true][&amp;dryRun=true]</c>, admin token: a delta as <c>text/csv</c> or <c>application/x-ndjson</c>
/// → 200 report | 400 | 401 | 413 | 415 | 422 (an atomic batch with bad lines: every one listed) | 503 (with
/// Retry-After on a full disk). With an <c>Idempotency-Key</c>, see <see cref="IdempotentPush"/>. A dry run is parsed,
/// judged and planned against the current records as a push is, and answered 200 with every line's outcome and
/// <c>"dryRun": true</c>; it writes nothing (no change, no attribution, no idempotency journal entry).
/// </summary>
internal static class PostDeltasEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        RegistryOptions options = registry.Options;
        if (ApiAccess.Authorize(context, registry, ApiRight.Write) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "POST /v1/deltas needs the admin token or an admin credential: Authorization: Bearer <token>");
            return;
        }

        if (!TryReadFlag(context.Request.Query["partial"], out bool partial))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad query", "partial must be true or false");
            return;
        }

        if (!TryReadFlag(context.Request.Query["dryRun"], out bool dryRun))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad query", "dryRun must be true or false");
            return;
        }

        if (!PushComment.TryRead(context.Request, out string? comment, out string? commentProblem))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad comment", commentProblem!);
            return;
        }

        DeltaFormat format;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out MediaTypeHeaderValue? mediaType))
        {
            await ApiProblems.ProblemAsync(context, 415, "Unsupported media type", "send the delta as Content-Type: text/csv or application/x-ndjson");
            return;
        }
        if (mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) format = DeltaFormat.Csv;
        else if (mediaType.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
                 || mediaType.MediaType.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase)) format = DeltaFormat.Ndjson;
        else
        {
            await ApiProblems.ProblemAsync(context, 415, "Unsupported media type", $"Content-Type {mediaType.MediaType} is not a delta: send text/csv or application/x-ndjson");
            return;
        }
        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            await ApiProblems.ProblemAsync(context, 415, "Unsupported media type", $"charset {mediaType.Charset} is not supported: a delta is UTF-8");
            return;
        }

        if (context.Request.ContentLength > options.MaxDeltaBytes)
        {
            await ApiProblems.ProblemAsync(context, 413, "Delta too large", $"the body has {context.Request.ContentLength} bytes, over the limit of {options.MaxDeltaBytes} (Registry:MaxDeltaBytes); split the delta");
            return;
        }
        // Kestrel's own default limit (30 MB) would cut a legitimate large delta; ours applies instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxDeltaBytes;

        string? key = context.Request.Headers["Idempotency-Key"];
        if (key is not null && !IdempotentPush.IsValidKey(key))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad Idempotency-Key", $"an Idempotency-Key is 1 to {IdempotentPush.MaxKeyLength} visible ASCII characters (eirctl sends a UUID)");
            return;
        }
        // A keyed push is fingerprinted as it is read: a retry must carry the same body.
        using HashingReadStream? hashing = key is null || dryRun ? null : new HashingReadStream(context.Request.Body);

        DeltaBatch batch;
        try
        {
            batch = await DeltaParser.ParseAsync(hashing ?? context.Request.Body, format, options.MaxDeltaLines, options.MaxDeltaBytes, registry.Calendar, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ApiProblems.ProblemAsync(context, 413, "Delta too large", $"the body is over the limit of {options.MaxDeltaBytes} bytes (Registry:MaxDeltaBytes); split the delta");
            return;
        }

        if (batch.Failure is { } failure)
        {
            bool tooLarge = failure.Kind is DeltaFailureKind.TooLarge or DeltaFailureKind.TooManyLines;
            await ApiProblems.ProblemAsync(context, tooLarge ? 413 : 400, tooLarge ? "Delta too large" : "Unreadable delta", failure.Detail);
            return;
        }

        if (dryRun)
        {
            await DryRunAndAnswerAsync(context, registry, batch, partial);
            return;
        }
        if (key is not null)
        {
            string hash = await hashing!.FinishAsync($"{format} partial={partial}", context.RequestAborted);
            await IdempotentPush.HandleAsync(context, registry, key, hash, batch, partial, new Attribution(caller.Name, comment));
            return;
        }
        await ApplyAndAnswerAsync(context, registry, batch, partial, new Attribution(caller.Name, comment), accepted: null);
    }

    /// <summary>Applies the batch as <paramref name="by"/> and answers with its report; <paramref name="accepted"/> sees an accepted report before the answer.</summary>
    internal static async Task ApplyAndAnswerAsync(HttpContext context, RegistryService registry, DeltaBatch batch, bool partial, Attribution by,
        Action<DeltaReport>? accepted)
    {
        DeltaReport report;
        try
        {
            report = await registry.ApplyAsync(batch, partial, by.Actor, by.Comment, context.RequestAborted);
        }
        catch (ObjectDisposedException)
        {
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", "the registry is shutting down; nothing was applied");
            return;
        }
        catch (InvalidOperationException e)
        {
            if (e is RegistryDiskFullException) context.Response.Headers.RetryAfter = "30";
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", e.Message);
            return;
        }

        if (!report.Accepted)
        {
            await DeltaReportJson.WriteBadLinesAsync(context, report, batch.LineCount);
            return;
        }
        accepted?.Invoke(report);
        await DeltaReportJson.WriteReportAsync(context, report);
    }

    private static async Task DryRunAndAnswerAsync(HttpContext context, RegistryService registry, DeltaBatch batch, bool partial)
    {
        DeltaReport report;
        try
        {
            report = await registry.DryRunAsync(batch, partial, context.RequestAborted);
        }
        catch (ObjectDisposedException)
        {
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", "the registry is shutting down");
            return;
        }
        catch (InvalidOperationException e)
        {
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", e.Message);
            return;
        }
        await DeltaReportJson.WriteReportAsync(context, report, dryRun: true);
    }

    private static bool TryReadFlag(string? text, out bool value)
    {
        value = false;
        if (string.IsNullOrEmpty(text)) return true;
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1") { value = true; return true; }
        return text.Equals("false", StringComparison.OrdinalIgnoreCase) || text == "0";
    }
}
