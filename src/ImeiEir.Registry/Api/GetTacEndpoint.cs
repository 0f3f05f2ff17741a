using ImeiEir.Core.Tac;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/tac</c>, reader token → 200 the TAC document (<c>text/csv</c>, <see cref="TacFileWriter"/>'s format)
/// with <c>ETag: "&lt;version&gt;"</c> | 304 when <c>If-None-Match</c> names the current version | 401 | 404 when no
/// database was imported. Nodes poll it with <c>If-None-Match</c>, so an unchanged database costs a directory listing.
/// </summary>
internal static class GetTacEndpoint
{
    public const string VersionHeader = "ImeiEir-Tac-Version";

    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Follow))
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/tac needs the reader token or a reader or node credential: Authorization: Bearer <token>");
            return;
        }
        if (TacDocument.For(registry).Current() is not { } current)
        {
            await ApiProblems.ProblemAsync(context, 404, "No TAC database", "no TAC file has been imported (eirctl tac import FILE)");
            return;
        }
        HttpResponse response = context.Response;
        string etag = $"\"{current.Version}\"";
        response.Headers.ETag = etag;
        response.Headers[VersionHeader] = current.Version;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag)))
        {
            response.StatusCode = 304;
            return;
        }
        FileStream file;
        try
        {
            file = new FileStream(current.File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            // A newer import removed it between the listing and the open: the node asks again at its next check.
            await ApiProblems.ProblemAsync(context, 503, "TAC database changing", "a new TAC database was being imported; ask again");
            return;
        }
        await using (file)
        {
            response.StatusCode = 200;
            response.ContentType = "text/csv; charset=utf-8";
            response.ContentLength = file.Length;
            await file.CopyToAsync(response.Body, context.RequestAborted);
        }
    }
}
