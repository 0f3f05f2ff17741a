using System.Text.Json;
using ImeiEir.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>GET /v1/whoami</c>, any valid token → 200 <c>{"name", "role"}</c> (role admin, reader or node) | 401: who a token
/// signs in as, so the admin console (and a person with curl) can tell a mistyped or revoked token from a valid one
/// before acting. The default tokens answer as their actors, <c>admin</c> and <c>reader</c>. Never the token itself.
/// </summary>
internal static class GetWhoAmIEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        // Follow is the one right every role holds: any credential in force may ask who it is.
        if (ApiAccess.Authorize(context, registry, ApiRight.Follow) is not { } caller)
        {
            await ApiProblems.UnauthorizedAsync(context, "GET /v1/whoami needs a token in force (a default token or a named credential): Authorization: Bearer <token>");
            return;
        }

        await using Utf8JsonWriter json = ApiJson.Begin(context);
        json.WriteStartObject();
        json.WriteString("name", caller.Name);
        json.WriteString("role", CredentialsFile.RoleName(caller.Role));
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
