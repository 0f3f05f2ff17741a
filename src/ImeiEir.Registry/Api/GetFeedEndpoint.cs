using System.Globalization;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/feed?after=SEQ</c>, reader token → 200 an endless <see cref="FeedStream"/> (binary
/// <see cref="FeedFormat"/>, or NDJSON on <c>Accept: application/x-ndjson</c>) | 400 | 401 | 409 (after is ahead, or
/// before the retained feed, <see cref="RegistryOptions.FeedRetention"/>).
/// Every answer but the 401 names the registry's generation in <see cref="FeedFormat.GenerationHeader"/>.
/// </summary>
internal static class GetFeedEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (ApiAccess.Authorize(context, registry, ApiRight.Follow) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/feed needs the reader token: Authorization: Bearer <reader token>");
            return;
        }
        // On every answer, the 409 included: a node checks the history it follows before anything else.
        context.Response.Headers[FeedFormat.GenerationHeader] = registry.Generation.ToString();

        ulong after = 0;
        string? afterText = context.Request.Query["after"];
        if (!string.IsNullOrEmpty(afterText)
            && !ulong.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            await ApiProblems.ProblemAsync(context, 400, "Bad query", $"after must be a change number (0 or more), found '{DeltaLineReader.Shorten(afterText)}'");
            return;
        }
        ulong last = registry.LastSequence;
        if (after > last)
        {
            await ApiProblems.ProblemAsync(context, 409, "Ahead of the registry",
                $"the node asks for changes after {after} but the registry's last change is {last}: the node's state is not the registry's; bootstrap it again from /v1/snapshot");
            return;
        }

        ulong feedFirst = registry.FeedFirstSequence;
        if (after + 1 < feedFirst)
        {
            await ApiProblems.ProblemAsync(context, 409, "Behind the retained feed",
                $"the node asks for changes after {after} but the registry's feed keeps changes from {feedFirst} on (Registry:FeedRetention); bootstrap it again from /v1/snapshot");
            return;
        }

        bool ndjson = WantsNdjson(context.Request);
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = ndjson ? FeedFormat.NdjsonContentType : FeedFormat.ContentType;
        response.Headers.CacheControl = "no-store";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (ApiProblems.Logger(context) is ILogger logger) RegistryLog.FeedOpened(logger, after, ndjson ? "ndjson" : "binary");

        // A feed never ends by itself: end it when the node goes or when the host stops (graceful shutdown would
        // otherwise wait for every follower until its timeout).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);
        FeedFollower? follower = context.RequestServices.GetService<FeedFollowers>()?.Open(caller.IsDefaultToken ? FeedFollowers.DefaultTokenName : caller.Name,
            AddressOf(context), after, registry.Time.GetUtcNow().ToUnixTimeMilliseconds());
        await FeedStream.RunAsync(registry, response.BodyWriter, after, ndjson, ended.Token, follower);
    }

    private static string AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";

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
}
