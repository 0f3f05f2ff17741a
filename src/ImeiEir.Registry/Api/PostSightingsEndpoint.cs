using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>POST /v1/sightings</c>, a node's reader token: <see cref="SightingCodec"/> records → 200 counts | 400 | 401 |
/// 413 | 415 | 503. The sightings go to the <see cref="SightingIntake"/>, which makes the first of an unknown IMEI grey.
/// </summary>
internal static class PostSightingsEndpoint
{
    private const int MaxSightingsPerRequest = RegistryEndpoints.MaxSightingsPerRequest;

    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (ApiAccess.Authorize(context, registry, ApiRight.Report) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "POST /v1/sightings needs a node credential or the reader token: Authorization: Bearer <token>");
            return;
        }
        if (context.RequestServices.GetService<SightingIntake>() is not { } intake)
        {
            await ApiProblems.ProblemAsync(context, 503, "No lifecycle", "this registry does not take sightings");
            return;
        }
        if (!string.Equals(context.Request.ContentType, SightingCodec.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            await ApiProblems.ProblemAsync(context, 415, "Unsupported media type", $"send sightings as Content-Type: {SightingCodec.ContentType}");
            return;
        }
        const long maxBytes = (long)MaxSightingsPerRequest * SightingCodec.Size;
        if (context.Request.ContentLength > maxBytes)
        {
            await ApiProblems.ProblemAsync(context, 413, "Too many sightings", $"at most {MaxSightingsPerRequest} sightings ({maxBytes} bytes) a request");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;

        var sightings = new List<Sighting>();
        byte[] record = new byte[SightingCodec.Size];
        PipeReader body = context.Request.BodyReader;
        long offset = 0;
        while (true)
        {
            ReadResult read = await body.ReadAsync(context.RequestAborted);
            ReadOnlySequence<byte> buffer = read.Buffer;
            string? problem = null;
            while (problem is null && buffer.Length >= SightingCodec.Size)
            {
                buffer.Slice(0, SightingCodec.Size).CopyTo(record);
                if (SightingCodec.TryRead(record, out Sighting sighting, out string? why)) sightings.Add(sighting);
                else problem = $"sighting {offset / SightingCodec.Size + 1} (byte {offset}): {why}";
                buffer = buffer.Slice(SightingCodec.Size);
                offset += SightingCodec.Size;
            }
            if (sightings.Count > MaxSightingsPerRequest)
                problem = $"more than {MaxSightingsPerRequest} sightings in one request";
            if (problem is null && read.IsCompleted && buffer.Length > 0)
                problem = $"the body is {offset + buffer.Length} bytes, not a multiple of {SightingCodec.Size}";
            body.AdvanceTo(buffer.Start, buffer.End);
            if (problem is not null)
            {
                await ApiProblems.ProblemAsync(context, 400, "Bad sightings", problem + "; nothing was recorded");
                return;
            }
            if (read.IsCompleted) break;
        }

        // A named node credential is who it is; the shared default token says only what the node calls itself.
        string node = !caller.IsDefaultToken ? caller.Name
            : context.Request.Headers["X-ImeiEir-Node"].ToString() is { Length: > 0 and <= 255 } name ? name : "unnamed node";
        SightingReport report;
        try
        {
            report = await intake.RecordAsync(sightings, node, context.RequestAborted);
        }
        catch (ObjectDisposedException)
        {
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", "the registry is shutting down; nothing was recorded");
            return;
        }
        catch (IOException e)
        {
            // The clone watch's journal could not be written: the node keeps the sightings and sends them again.
            context.Response.Headers.RetryAfter = "30";
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", $"{e.Message} Send the sightings again later.");
            return;
        }
        catch (InvalidOperationException e)
        {
            // A full disk (or a failed log): the node keeps the sightings and sends them again later.
            context.Response.Headers.RetryAfter = "30";
            await ApiProblems.ProblemAsync(context, 503, "Registry unavailable", $"{e.Message} Nothing was recorded; send the sightings again later.");
            return;
        }
        await context.Response.WriteAsJsonAsync(new
        {
            received = report.Received,
            created = report.Created,
            existing = report.Existing,
            ignored = report.Ignored,
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
