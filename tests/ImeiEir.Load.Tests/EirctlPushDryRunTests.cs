using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Load.Tests;

/// <summary>
/// <c>eirctl push FILE --dry-run</c> (issue 25, item 1) asks for <c>?dryRun=true</c>, prints the registry's report
/// line by line and says nothing was applied. The registry is a stand-in on 127.0.0.1 (a port chosen at run time)
/// answering with a dry-run report shaped like the registry's (the registry side: Registry.Tests DryRunTests).
/// </summary>
public sealed class EirctlPushDryRunTests
{
    private const string Report = """
        {"accepted":false,"applied":1,"unchanged":1,"rejected":1,"firstSequence":null,"lastSequence":null,"dryRun":true,"lines":[
        {"line":2,"outcome":"unchanged","imei":"350000888888886"},
        {"line":3,"outcome":"applied","imei":"352099001761481"},
        {"line":4,"outcome":"rejected","imei":"867530900000017","reason":"list 'purple' is not a list"}]}
        """;

    [Test]
    public async Task Push_dry_run_asks_for_a_dry_run_prints_each_line_and_says_nothing_was_applied()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication registry = builder.Build();
        string? query = null;
        bool keyed = false;
        registry.MapPost("/v1/deltas", (HttpRequest request) =>
        {
            query = request.QueryString.Value;
            keyed = request.Headers.ContainsKey("Idempotency-Key");
            return Results.Text(Report, "application/json");
        });
        await registry.StartAsync();
        string url = registry.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        using var directory = new TempDirectory();
        string delta = Path.Combine(directory.Path, "delta.csv");
        await File.WriteAllTextAsync(delta, "imei,list,reason\n");
        using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", delta, "--dry-run", "--registry", url, "--token", "t");
        Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);

        Assert.That(query, Is.EqualTo("?dryRun=true"), eirctl.Transcript);
        Assert.That(keyed, Is.False, "a dry run is journaled nowhere, so it sends no Idempotency-Key");
        Assert.That(eirctl.ExitCode, Is.EqualTo(2), "a rejected line fails the run, as a push's does\n" + eirctl.Transcript);
        string[] lines = [.. eirctl.StdoutLines.Where(l => l.StartsWith("delta.csv:", StringComparison.Ordinal))];
        Assert.That(lines, Has.Length.EqualTo(3), eirctl.Transcript);
        Assert.That(lines[1], Does.Contain("applied").And.Contain("352099001761481").And.Contain("would be applied"));
        Assert.That(lines[2], Does.StartWith("delta.csv:4:").And.Contain("purple"));
        Assert.That(eirctl.StdoutLines.Last(), Does.Contain("nothing was applied").And.Contain("1 would be applied, 1 unchanged, 1 rejected"), eirctl.Transcript);
    }
}
