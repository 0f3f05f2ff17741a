using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// A registry and two EIR nodes in this process, on one fake regime clock: the regime's days pass in milliseconds
/// while connections, feeds and retries run in real time.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    public const string AdminToken = "admin-token-for-lifecycle-tests";
    public const string ReaderToken = "reader-token-for-lifecycle-tests";
    public const string HomeImsi = "401011234567890";
    public const string OtherHomeImsi = "401029876543210";
    public const string RoamerImsi = "250991234567890";
    public const string M2mTacRange = "86000000-86099999";

    /// <summary>Day 0, 08:00 in Almaty: well after the regime started (2025-05-25).</summary>
    public static readonly DateTimeOffset Day0 = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    private readonly string _root;
    private readonly int _registryPort;

    private Cluster(string root, int registryPort)
    {
        _root = root;
        _registryPort = registryPort;
    }

    public FakeTimeProvider Clock { get; } = new(Day0);

    public InProcessHost Registry { get; private set; } = null!;

    public InProcessHost NodeA { get; private set; } = null!;

    public InProcessHost NodeB { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public Uri RegistryApi => new($"http://127.0.0.1:{_registryPort}/");

    public static async Task<Cluster> StartAsync()
    {
        string root = Path.Combine(Path.GetTempPath(), "imeieir-lifecycle-" + Guid.NewGuid().ToString("N"));
        var cluster = new Cluster(root, InProcessHost.FreePort());
        await cluster.StartRegistryAsync();
        cluster.NodeA = await InProcessHost.StartAsync(cluster.Clock, cluster.NodeArgs("a"));
        cluster.NodeB = await InProcessHost.StartAsync(cluster.Clock, cluster.NodeArgs("b"));
        return cluster;
    }

    public async Task StartRegistryAsync() => Registry = await InProcessHost.StartAsync(Clock,
        "--Mode=registry", $"--DataDir={Path.Combine(_root, "registry")}", "--Http:Port=0",
        "--Registry:Host=127.0.0.1", $"--Registry:Port={_registryPort}",
        $"--Registry:AdminToken={AdminToken}", $"--Registry:ReaderToken={ReaderToken}", "--Registry:LoadDemoLists=false");

    public async Task StopRegistryAsync() => await Registry.DisposeAsync();

    private string[] NodeArgs(string name) =>
    [
        "--Mode=eir", $"--DataDir={Path.Combine(_root, name)}", "--Diameter:Port=0", "--Http:Port=0",
        $"--Diameter:OriginHost=eir-{name}.test", $"--Registry:Url={RegistryApi}", $"--Registry:ReaderToken={ReaderToken}",
        $"--Policy:M2mTacRanges:0={M2mTacRange}", "--Sync:InitialBackoff=00:00:00.05", "--Sync:MaxBackoff=00:00:00.2",
        "--Sightings:FlushInterval=00:00:00.02", "--Sightings:InitialBackoff=00:00:00.05", "--Sightings:MaxBackoff=00:00:00.2",
        "--Http:ListCountInterval=00:00:00", "--Http:LookupRateLimit=100000",
    ];

    public void AdvanceDays(double days) => Clock.Advance(TimeSpan.FromDays(days));

    public long UnixDay(double day) => Day0.AddDays(day).ToUnixTimeSeconds();

    /// <summary>POSTs a CSV delta to the registry as an admin; the registry acknowledges once it is durable.</summary>
    public async Task PushAsync(string csvLines)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(RegistryApi, "v1/deltas"))
        {
            Content = new StringContent("op,imei,list,reason\n" + csvLines, Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using HttpResponseMessage response = await Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"push failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>The registry's own record of an IMEI (GET /v1/imei on the registry API); null when it has none.</summary>
    public async Task<JsonElement?> RegistryRecordAsync(string imei)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(RegistryApi, $"v1/imei/{imei}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReaderToken);
        using HttpResponseMessage response = await Http.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until a node's lookup shows <paramref name="list"/> (and the deadline, when given).</summary>
    public static Task<bool> NodeShowsAsync(InProcessHost node, HttpClient http, string imei, string list, long? deadline = null) =>
        InProcessHost.EventuallyAsync(async () =>
        {
            JsonElement record = await node.LookupAsync(http, imei);
            return record.GetProperty("list").GetString() == list
                && (deadline is null || (record.GetProperty("deadline").GetString() is { } d && DateTimeOffset.Parse(d).ToUnixTimeSeconds() == deadline));
        });

    public static long Deadline(JsonElement record) =>
        DateTimeOffset.Parse(record.GetProperty("deadline").GetString()!).ToUnixTimeSeconds();

    public async ValueTask DisposeAsync()
    {
        foreach (InProcessHost? host in new[] { NodeB, NodeA, Registry })
        {
            if (host is null) continue;
            try { await host.DisposeAsync(); } catch (ObjectDisposedException) { }
        }
        Http.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
