using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Notify.Api;

/// <summary>The API's errors: <c>application/problem+json</c> with a title, the status and one sentence of detail.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    public static Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteAsync(context, 401, "Unauthorized", detail);
    }

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("title", title);
        json.WriteNumber("status", status);
        json.WriteString("detail", detail);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
