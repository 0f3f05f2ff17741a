using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>The registry API's refusals: <c>application/problem+json</c> answers, each logged (never with a token).</summary>
internal static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemAsync(context, 401, "Unauthorized", detail);
    }

    /// <summary>
    /// 503 for a write the registry could not take: <see cref="ObjectDisposedException"/> while it shuts down, any
    /// other <see cref="InvalidOperationException"/> (a full disk, a failed write) with its own message;
    /// <c>nothingDone</c> says what the caller did not do, e.g. "nothing was imported".
    /// </summary>
    public static Task UnavailableAsync(HttpContext context, InvalidOperationException e, string nothingDone) =>
        ProblemAsync(context, 503, "Registry unavailable",
            e is ObjectDisposedException ? $"the registry is shutting down; {nothingDone}" : e.Message);

    public static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        Log(context, status, detail);
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("title", title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>Logs a refusal (the request's method and path, the status and the detail).</summary>
    public static void Log(HttpContext context, int status, string detail)
    {
        if (Logger(context) is ILogger logger)
            RegistryLog.Refused(logger, context.Request.Method, context.Request.Path.Value ?? "", status, detail);
    }

    /// <summary>The API's logger (category ImeiEir.Registry.Api), when the host has logging.</summary>
    public static ILogger? Logger(HttpContext context) =>
        context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("ImeiEir.Registry.Api");
}
