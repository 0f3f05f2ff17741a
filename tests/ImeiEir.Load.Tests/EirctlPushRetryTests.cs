using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ImeiEir.Load.Tests;

/// <summary>
/// <c>eirctl push</c> sends an <c>Idempotency-Key</c> and, when the connection is lost after the registry took the
/// push, retries once with the same key and says what happened (issue 21, section 6). The registry is a stand-in on
/// 127.0.0.1 behind a <see cref="DroppingProxy"/> that throws its first answer away.
/// </summary>
public sealed class EirctlPushRetryTests
{
    private const string Report = """
        {"accepted":true,"applied":1,"unchanged":0,"rejected":0,"firstSequence":6,"lastSequence":6,"lines":[
        {"line":2,"outcome":"applied","imei":"352099001761481","sequence":6}]}
        """;

    [Test]
    public async Task Push_retries_a_lost_answer_once_with_the_same_key_and_says_so()
    {
        var keys = new ConcurrentQueue<string>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication registry = builder.Build();
        registry.MapPost("/v1/deltas", async (HttpContext context) =>
        {
            string key = context.Request.Headers["Idempotency-Key"].ToString();
            await new StreamReader(context.Request.Body).ReadToEndAsync();
            // As the registry: the second send of a key is answered with the first one's outcome.
            if (keys.Contains(key)) context.Response.Headers["Idempotency-Replayed"] = "true";
            keys.Enqueue(key);
            return Results.Text(Report, "application/json");
        });
        await registry.StartAsync();
        var url = new Uri(registry.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        await using var proxy = new DroppingProxy(url.Port, dropFirst: 1);

        using var directory = new TempDirectory();
        string delta = Path.Combine(directory.Path, "delta.csv");
        await File.WriteAllTextAsync(delta, "imei,list,reason\n352099001761481,black,stolen\n");
        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", delta, "--registry", proxy.Url.ToString(), "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(eirctl.ExitCode, Is.Zero, eirctl.Transcript);
        Assert.That(proxy.Dropped, Is.EqualTo(1));
        string[] sent = [.. keys];
        Assert.That(sent, Has.Length.EqualTo(2), "one send and one retry");
        Assert.That(Guid.TryParse(sent[0], out _), Is.True, $"a UUID key: '{sent[0]}'");
        Assert.That(sent[1], Is.EqualTo(sent[0]), "the retry carries the same key");
        Assert.That(eirctl.Stderr, Does.Contain("lost the connection").And.Contain("retrying once with the same idempotency key"), eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Contain("had already applied delta.csv"), eirctl.Transcript);
        Assert.That(eirctl.Stdout, Does.Contain("1 applied, 0 unchanged, 0 rejected"), eirctl.Transcript);
    }
}
