using System.Globalization;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/backup</c>, admin token → 200 a <see cref="BackupFormat"/> backup as of the registry's last change when
/// asked (named in <see cref="BackupFormat.SequenceHeader"/>), with the TAC database and the sections of every
/// <see cref="IBackupSectionSource"/> the host registered, streamed while pushes go on | 401.
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
            IBackupSectionSource[] sources = [.. context.RequestServices.GetServices<IBackupSectionSource>()];
            await registry.WriteBackupAsync(response.Body,
                sequence => response.Headers[BackupFormat.SequenceHeader] = sequence.ToString(CultureInfo.InvariantCulture),
                () => CaptureSections(registry, sources),
                context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>The TAC database, then whatever the host registered (the notifier's state, in registry and all-in-one modes).</summary>
    private static List<BackupSection> CaptureSections(RegistryService registry, IBackupSectionSource[] sources)
    {
        var sections = new List<BackupSection>();
        if (TacBackup.Capture(TacDocument.For(registry)) is { } tac) sections.Add(tac);
        foreach (IBackupSectionSource source in sources) sections.AddRange(source.CaptureSections());
        return sections;
    }
}
