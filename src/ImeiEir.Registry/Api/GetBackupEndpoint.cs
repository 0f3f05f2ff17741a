using System.Globalization;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/backup</c>, admin token → 200 a <see cref="BackupFormat"/> backup as of the registry's last change when
/// asked (named in <see cref="BackupFormat.SequenceHeader"/>), streamed while pushes go on | 401.
/// </summary>
internal static class GetBackupEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Write))
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/backup needs the admin token or an admin credential: Authorization: Bearer <token>");
            return;
        }
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = BackupFormat.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers[FeedFormat.GenerationHeader] = registry.Generation.ToString();
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await registry.WriteBackupAsync(response.Body,
                sequence => response.Headers[BackupFormat.SequenceHeader] = sequence.ToString(CultureInfo.InvariantCulture),
                context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}
