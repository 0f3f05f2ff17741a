using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>The start of every JSON 200 the registry's read endpoints send: never cached, since each is this moment's state.</summary>
internal static class ApiJson
{
    /// <summary>Sets the response to 200 <c>application/json</c>, <c>no-store</c>, and returns a writer over its body.</summary>
    public static Utf8JsonWriter Begin(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        return new Utf8JsonWriter(response.BodyWriter);
    }
}
