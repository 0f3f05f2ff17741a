using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Load.Tests;

/// <summary>
/// <c>eirctl --registry URL1,URL2</c> (issue 23, item 5): a command goes to the first registry that accepts a
/// connection, and a push whose connection is lost after it was sent is retried once on the next URL with the same
/// Idempotency-Key. The registries are stand-ins on 127.0.0.1 at ports chosen at run time that share one key table,
/// as two processes of one registry do; "unreachable" is a closed 127.0.0.1 port.
/// </summary>
public sealed class EirctlFailoverTests
{
    private const string Report = """
        {"accepted":true,"applied":1,"unchanged":0,"rejected":0,"firstSequence":6,"lastSequence":6,"lines":[
        {"line":2,"outcome":"applied","imei":"352099001761481","sequence":6}]}
        """;

    /// <summary>Idempotency keys as every stand-in received them, in order, with the stand-in's name; new for every test.</summary>
    private ConcurrentQueue<(string Registry, string Key)> _received = new();

    [SetUp]
    public void NoneReceived() => _received = new();

    private static int ClosedPort() => ClosedPorts(1)[0];

    /// <summary>Distinct 127.0.0.1 ports nothing listens on: all bound at once, so none is handed out twice, then closed.</summary>
    private static int[] ClosedPorts(int count)
    {
        TcpListener[] listeners = [.. Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0))];
        foreach (TcpListener listener in listeners) listener.Start();
        int[] ports = [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        foreach (TcpListener listener in listeners) listener.Stop();
        return ports;
    }

    private async Task<(WebApplication App, Uri Url)> StartRegistryAsync(string name)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication registry = builder.Build();
        registry.MapPost("/v1/deltas", async (HttpContext context) =>
        {
            string key = context.Request.Headers["Idempotency-Key"].ToString();
            await new StreamReader(context.Request.Body).ReadToEndAsync();
            // As the registry: a key already taken (by any process of it) is answered with the first send's outcome.
            if (_received.Any(r => r.Key == key)) context.Response.Headers["Idempotency-Replayed"] = "true";
            _received.Enqueue((name, key));
            return Results.Text(Report, "application/json");
        });
        await registry.StartAsync();
        var url = new Uri(registry.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return (registry, url);
    }

    private static async Task<string> DeltaAsync(TempDirectory directory)
    {
        string delta = Path.Combine(directory.Path, "delta.csv");
        await File.WriteAllTextAsync(delta, "imei,list,reason\n352099001761481,black,stolen\n");
        return delta;
    }

    [Test]
    public async Task A_push_with_a_closed_port_first_goes_to_the_registry_after_it()
    {
        (WebApplication app, Uri url) = await StartRegistryAsync("live");
        await using WebApplication registry = app;
        using var directory = new TempDirectory();
        string closed = $"http://127.0.0.1:{ClosedPort()}";

        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", await DeltaAsync(directory), "--registry", $"{closed},{url}", "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(eirctl.ExitCode, Is.Zero, eirctl.Transcript);
        Assert.That(_received.Select(r => r.Registry), Is.EqualTo(new[] { "live" }), "sent once, to the live registry");
        Assert.That(eirctl.Stderr, Does.Contain($"cannot reach the registry at {closed}/").And.Contain("trying " + url), eirctl.Transcript);
        Assert.That(eirctl.Stdout, Does.Contain("1 applied, 0 unchanged, 0 rejected"), eirctl.Transcript);
    }

    [Test]
    public async Task A_push_whose_connection_is_lost_after_sending_is_retried_once_on_the_next_url_with_the_same_key()
    {
        (WebApplication firstApp, Uri firstUrl) = await StartRegistryAsync("first");
        await using WebApplication first = firstApp;
        (WebApplication secondApp, Uri secondUrl) = await StartRegistryAsync("second");
        await using WebApplication second = secondApp;
        // The first registry takes the push; its answer is lost on the way back.
        await using var proxy = new DroppingProxy(firstUrl.Port, dropFirst: 1);
        using var directory = new TempDirectory();

        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", await DeltaAsync(directory), "--registry", $"{proxy.Url},{secondUrl}", "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(eirctl.ExitCode, Is.Zero, eirctl.Transcript);
        Assert.That(proxy.Dropped, Is.EqualTo(1));
        (string Registry, string Key)[] sent = [.. _received];
        Assert.That(sent.Select(r => r.Registry), Is.EqualTo(new[] { "first", "second" }), "one send, and its one retry on the next URL");
        Assert.That(sent[1].Key, Is.EqualTo(sent[0].Key), "the retry carries the same key");
        Assert.That(eirctl.Stderr, Does.Contain("lost the connection").And.Contain($"retrying once with the same idempotency key at {secondUrl}"), eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Contain("had already applied delta.csv"), eirctl.Transcript);
    }

    [Test]
    public async Task An_import_with_a_closed_port_first_reaches_the_next_registry_with_its_whole_body_and_content_type()
    {
        var bodies = new ConcurrentQueue<(string? ContentType, string Body)>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication registry = builder.Build();
        registry.MapPost("/v1/subscribers", async (HttpContext context) =>
        {
            bodies.Enqueue((context.Request.ContentType, await new StreamReader(context.Request.Body).ReadToEndAsync()));
            return Results.Json(new { added = 2, replaced = 0, unchanged = 0, total = 2, released = 0 });
        });
        await registry.StartAsync();
        var url = new Uri(registry.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "subscribers.csv");
        const string csv = "imsi,msisdn,language\n401011234567890,77011234567,kk\n401011234567891,77011234568,ru\n";
        await File.WriteAllTextAsync(file, csv);

        int[] closed = ClosedPorts(2);
        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "subscribers", "import", file,
            "--registry", $"http://127.0.0.1:{closed[0]},http://127.0.0.1:{closed[1]},{url}", "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(eirctl.ExitCode, Is.Zero, eirctl.Transcript);
        Assert.That(bodies.Single(), Is.EqualTo(("text/csv; charset=utf-8", csv)), "the file as it is, once, after two refused connections");
        Assert.That(eirctl.Stdout, Does.Contain("2 added"), eirctl.Transcript);
    }

    [Test]
    public void A_bad_url_in_the_list_is_one_line_naming_the_option()
    {
        using var directory = new TempDirectory();
        string delta = Path.Combine(directory.Path, "delta.csv");
        File.WriteAllText(delta, "imei,list,reason\n352099001761481,black,stolen\n");
        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", delta, "--registry", $"http://127.0.0.1:{ClosedPort()},ftp://127.0.0.1:1", "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(eirctl.ExitCode, Is.Not.Zero, eirctl.Transcript);
        Assert.That(eirctl.StderrLines, Has.Count.EqualTo(1), eirctl.Transcript);
        Assert.That(eirctl.Stderr, Does.Contain("--registry: 'ftp://127.0.0.1:1' is not an absolute http:// or https:// URL"), eirctl.Transcript);
    }
}
