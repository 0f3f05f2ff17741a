using System.Text;
using System.Text.Json;
using ImeiEir.Core.Tac;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Registry;

/// <summary>
/// <c>PUT /v1/tac</c>, admin token: a TAC file (<see cref="TacFileParser"/>'s columns, UTF-8) replaces the TAC
/// database → 200 <c>{"version", "tacs", "deviceTypes"}</c> | 401 | 413 | 422 (bad lines, each with its number and
/// reason; nothing stored). All or nothing: the new document is in place, whole, before the answer, and nodes fetch
/// it by <c>GET /v1/tac</c>.
/// </summary>
internal static class PutTacEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        RegistryService registry = context.RequestServices.GetRequiredService<RegistryService>();
        if (!ApiAccess.IsAuthorized(context, registry, ApiRight.Write))
        {
            await ApiProblems.UnauthorizedAsync(context, "PUT /v1/tac needs the admin token: Authorization: Bearer <admin token>");
            return;
        }
        long limit = registry.Options.MaxDeltaBytes;
        if (context.Request.ContentLength > limit)
        {
            await ApiProblems.ProblemAsync(context, 413, "TAC file too large", $"the body has {context.Request.ContentLength} bytes, over the limit of {limit} (Registry:MaxDeltaBytes)");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = limit;

        // The parser reads synchronously; Kestrel forbids synchronous body reads, so the file is buffered first.
        var body = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ApiProblems.ProblemAsync(context, 413, "TAC file too large", $"the body is over the limit of {limit} bytes (Registry:MaxDeltaBytes)");
            return;
        }
        body.Position = 0;
        TacParseResult parsed = await Task.Run(() => TacFileParser.Parse(new StreamReader(body, Encoding.UTF8)), context.RequestAborted);
        if (!parsed.Succeeded)
        {
            await BadLinesAsync(context, parsed);
            return;
        }

        TacDirectory directory = TacDocument.For(registry);
        string version = await Task.Run(() => directory.SaveNext(parsed.Entries), context.RequestAborted);
        TacTable table = TacTable.Build(version, parsed.Entries);
        if (ApiProblems.Logger(context) is { } logger)
            RegistryLog.TacImported(logger, version, table.Count, table.DeviceTypes.Count);

        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("version", version);
        json.WriteNumber("tacs", table.Count);
        json.WriteStartArray("deviceTypes");
        foreach (string type in table.DeviceTypes) json.WriteStringValue(type);
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static async Task BadLinesAsync(HttpContext context, TacParseResult parsed)
    {
        string detail = $"{parsed.ErrorCount} bad line{(parsed.ErrorCount == 1 ? "" : "s")}, first {parsed.Errors[0]}; nothing was imported";
        ApiProblems.Log(context, 422, detail);
        HttpResponse response = context.Response;
        response.StatusCode = 422;
        response.ContentType = ApiProblems.ContentType;
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("title", "Bad TAC file");
        json.WriteNumber("status", 422);
        json.WriteString("detail", detail);
        json.WriteNumber("badLines", parsed.ErrorCount);
        json.WriteStartArray("errors");
        foreach (TacLineError error in parsed.Errors)
        {
            json.WriteStartObject();
            json.WriteNumber("line", error.Line);
            json.WriteString("reason", error.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
