using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.CheckPage;

/// <summary>
/// An all-in-one server on 127.0.0.1 (every port chosen at run time) with one white, one black and one unlisted
/// IMEI, and a TAC database naming the white one's maker: what the check page tests look at.
/// </summary>
internal sealed class CheckPageNode : IAsyncDisposable
{
    public const string AdminToken = "admin-token-for-check-page-tests";
    public static readonly string White = Luhn.With("35000051000011");
    public static readonly string Black = Luhn.With("35000051000029");
    public static readonly string Unknown = Luhn.With("35000051000037");
    private const string TacCsv = "tac,manufacturer,model,device_type\n35000051,Acme <Phones> & Co,Phone \"1\",Smartphone\n";

    private readonly string _root;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    private CheckPageNode(string root, InProcessHost host, int registryPort)
    {
        _root = root;
        Host = host;
        RegistryApi = new Uri($"http://127.0.0.1:{registryPort}/");
    }

    public InProcessHost Host { get; }

    public Uri RegistryApi { get; }

    /// <summary>The check page's address.</summary>
    public Uri CheckPage => new(Host.Http, "check");

    public static async Task<CheckPageNode> StartAsync()
    {
        string root = Path.Combine(Path.GetTempPath(), "imeieir-check-" + Guid.NewGuid().ToString("N"));
        int registryPort = InProcessHost.FreePort();
        InProcessHost host = await InProcessHost.StartAsync(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero)),
            "--Mode=all-in-one", $"--DataDir={root}", "--Diameter:Port=0", "--Http:Port=0",
            "--Registry:Host=127.0.0.1", $"--Registry:Port={registryPort}", $"--Registry:AdminToken={AdminToken}", "--Registry:LoadDemoLists=false",
            "--Sync:TacCheckInterval=00:00:00.200", "--Http:LookupRateLimit=100000");
        var node = new CheckPageNode(root, host, registryPort);
        try
        {
            await node.AdminAsync(HttpMethod.Put, "v1/tac", TacCsv);
            await node.AdminAsync(HttpMethod.Post, "v1/deltas", $"op,imei,list,reason\nset,{White},white,verified\nset,{Black},black,stolen\n");
            // Through the JSON lookup, not the page: the page is what the tests look at.
            bool ready = await InProcessHost.EventuallyAsync(async () =>
            {
                JsonElement white = await host.LookupAsync(node._http, White);
                return white.GetProperty("list").GetString() == "white" && white.GetProperty("tacKnown").ValueKind == JsonValueKind.True;
            }, seconds: 30);
            if (!ready) throw new InvalidOperationException("the node did not show the pushed lists and TAC database within 30 s");
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task AdminAsync(HttpMethod method, string path, string csv)
    {
        using var request = new HttpRequestMessage(method, new Uri(RegistryApi, path)) { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path} failed: {(int)response.StatusCode} {body}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Host.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
