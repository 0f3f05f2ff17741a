using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ImeiEir.Load.Tests;

/// <summary>
/// <c>eirctl push --partial</c> prints one line per delta line in aligned columns (issue 22, item 10), whatever the
/// line numbers' widths and whether a rejected line has an IMEI. The registry is a stand-in on 127.0.0.1 (a port
/// chosen at run time) answering with a report shaped like the registry's.
/// </summary>
public sealed class EirctlPushOutputTests
{
    private const string Report = """
        {"accepted":true,"applied":2,"unchanged":1,"rejected":2,"firstSequence":6,"lastSequence":8,"lines":[
        {"line":9,"outcome":"applied","imei":"352099001761481","sequence":6},
        {"line":10,"outcome":"rejected","reason":"imei: not 14, 15 or 16 digits"},
        {"line":11,"outcome":"unchanged","imei":"350000888888886"},
        {"line":12,"outcome":"applied","imei":"490154203237518","sequence":7,"newImeiSequence":8},
        {"line":100,"outcome":"rejected","imei":"867530900000017","reason":"list: must be white, grey or black"}]}
        """;

    [Test]
    public async Task Push_partial_prints_its_lines_in_aligned_columns()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication registry = builder.Build();
        registry.MapPost("/v1/deltas", () => Results.Text(Report, "application/json"));
        await registry.StartAsync();
        string url = registry.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        string directory = Path.Combine(Path.GetTempPath(), $"imeieir-push-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string delta = Path.Combine(directory, "delta.csv");
            await File.WriteAllTextAsync(delta, "op,imei,list,reason,deadline,new_imei\n");
            using ChildProcess eirctl = ChildProcess.StartDll("eirctl.dll", "push", delta, "--partial", "--registry", url, "--token", "t");
            Assert.That(eirctl.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, eirctl.Transcript);
            Assert.That(eirctl.ExitCode, Is.EqualTo(2), eirctl.Transcript);

            string[] lines = [.. eirctl.StdoutLines.Where(l => l.StartsWith("delta.csv:", StringComparison.Ordinal))];
            Assert.That(lines, Has.Length.EqualTo(5), eirctl.Transcript);
            string output = string.Join('\n', lines);
            string[] outcomes = ["applied", "rejected", "unchanged", "applied", "rejected"];
            int[] outcomeAt = [.. lines.Select((l, i) => l.IndexOf(" " + outcomes[i] + " ", StringComparison.Ordinal))];
            Assert.That(outcomeAt.Distinct().Count(), Is.EqualTo(1), "the outcome column:\n" + output);

            string?[] imeis = ["352099001761481", null, "350000888888886", "490154203237518", "867530900000017"];
            int imeiAt = lines[0].IndexOf(imeis[0]!, StringComparison.Ordinal);
            for (int i = 0; i < lines.Length; i++)
                if (imeis[i] is string imei)
                    Assert.That(lines[i].IndexOf(imei, StringComparison.Ordinal), Is.EqualTo(imeiAt), "the IMEI column:\n" + output);

            int detailAt = imeiAt + 16; // 15 digits and a space
            Assert.That(lines[0].IndexOf("sequence 6", StringComparison.Ordinal), Is.EqualTo(detailAt), "the detail column:\n" + output);
            Assert.That(lines[1].IndexOf("imei: not", StringComparison.Ordinal), Is.EqualTo(detailAt), "no IMEI: its column is left blank:\n" + output);
            Assert.That(lines[4].IndexOf("list: must", StringComparison.Ordinal), Is.EqualTo(detailAt), "the detail column:\n" + output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
