using System.Net.Http.Json;
using System.Text.Json;
using ImeiEir.Node;
using ImeiEir.Server.Composition;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// The initial lists seed the registry and are configured under <c>Registry:</c>; the old <c>Store:</c> key still
/// seeds it, with one deprecation warning as the process starts.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class InitialListsKeyTests
{
    private const int DeprecatedKeyEvent = 42;
    private static readonly string WhiteImei = Luhn.With("35000047000001");
    private string _root = null!;
    private string _lists = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imeieir-initial-lists-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _lists = Path.Combine(_root, "lists.csv");
        File.WriteAllText(_lists, $"op,imei,list,reason\nset,{WhiteImei},white,verified\n");
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Test, CancelAfter(60_000)]
    public async Task The_deprecated_Store_key_still_seeds_the_registry_and_is_warned_about_once()
    {
        (string list, IReadOnlyList<string> warnings) = await StartAndLookUpAsync($"--Store:InitialLists={_lists}");

        Assert.That(list, Is.EqualTo("white"), "the old key's file was loaded");
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain("Store:InitialLists").And.Contain("Registry:InitialLists"));
    }

    [Test, CancelAfter(60_000)]
    public async Task The_Registry_key_seeds_the_registry_without_a_warning()
    {
        (string list, IReadOnlyList<string> warnings) = await StartAndLookUpAsync($"--Registry:InitialLists={_lists}");

        Assert.That(list, Is.EqualTo("white"));
        Assert.That(warnings, Is.Empty);
    }

    /// <summary>Starts an all-in-one process with <paramref name="listsArgument"/>, looks the white IMEI up, stops it.</summary>
    private async Task<(string List, IReadOnlyList<string> Warnings)> StartAndLookUpAsync(string listsArgument)
    {
        var logs = new LogCapture();
        string[] args =
        [
            "--Logging:LogLevel:Default=Warning", "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "data")}",
            "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0", "--Sbi:Port=0", "--Registry:LoadDemoLists=false", listsArgument,
        ];
        (WebApplication app, _, ListenEndpoints endpoints) = ImeiEirApp.Build(args, services => services.AddSingleton<ILoggerProvider>(logs));
        await using (app)
        {
            await app.StartAsync();
            await app.Services.GetRequiredService<NodeReadiness>().CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            JsonElement found = await http.GetFromJsonAsync<JsonElement>($"http://{endpoints.HttpEndPoint}/v1/imei/{WhiteImei}");
            await app.StopAsync(CancellationToken.None);
            string[] warnings = [.. logs.Lines.Where(l => l.Id.Id == DeprecatedKeyEvent && l.Level == LogLevel.Warning).Select(l => l.Text)];
            return (found.GetProperty("list").GetString()!, warnings);
        }
    }
}
