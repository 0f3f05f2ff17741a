using System.Net.Http.Headers;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.AdminConsole;

/// <summary>
/// An all-in-one server (the registry's API, the notifier and /admin on the registry's port; a node following it, so
/// the overview has a follower; every port chosen at run time on 127.0.0.1) with a tokens file holding an admin (police-1), a reader (auditor) and a node credential (node-a), and one IMEI pushed
/// black with a comment: what the admin console's browser tests sign in to and look at.
/// </summary>
internal sealed class ConsoleRegistry : IAsyncDisposable
{
    public const string AdminName = "police-1", ReaderName = "auditor", NodeName = "node-a";
    public const string SeedComment = "police report 77/2026 <i>urgent</i>";
    public static readonly string Stolen = Luhn.With("35000061000011");

    private readonly TempDirectory _root;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly List<Credential> _credentials = [];

    private ConsoleRegistry(TempDirectory root, int port)
    {
        _root = root;
        Api = new Uri($"http://127.0.0.1:{port}/");
    }

    public InProcessHost Host { get; private set; } = null!;

    /// <summary>The registry's port: its API and its console.</summary>
    public Uri Api { get; }

    public Uri ConsolePage => new(Api, "admin");

    public string TokensFile => Path.Combine(_root.Path, "tokens");

    public string AdminToken { get; private set; } = "";

    public string ReaderToken { get; private set; } = "";

    public string NodeToken { get; private set; } = "";

    /// <summary>The registry's generated reader token (Registry:ReaderToken): every read but the notifier's subscriber data.</summary>
    public const string DefaultReaderToken = "reader-token-for-console-tests";

    public static async Task<ConsoleRegistry> StartAsync()
    {
        var registry = new ConsoleRegistry(new TempDirectory(), InProcessHost.FreePort());
        try
        {
            registry.AdminToken = registry.AddCredential(AdminName, CredentialRole.Admin);
            registry.ReaderToken = registry.AddCredential(ReaderName, CredentialRole.Reader);
            registry.NodeToken = registry.AddCredential(NodeName, CredentialRole.Node);
            registry.Host = await InProcessHost.StartAsync(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero)),
                "--Mode=all-in-one", $"--DataDir={Path.Combine(registry._root.Path, "data")}", "--Diameter:Port=0", "--Http:Port=0",
                "--Registry:Host=127.0.0.1", $"--Registry:Port={registry.Api.Port}", "--Registry:LoadDemoLists=false",
                $"--Registry:TokensFile={registry.TokensFile}", $"--Registry:ReaderToken={DefaultReaderToken}");
            await registry.PushAsync($"op,imei,list,reason\nset,{Stolen},black,stolen\n", SeedComment);
            // A few white records, so the overview's lists are not all zero.
            await registry.PushAsync("op,imei,list,reason\n" + string.Concat(Enumerable.Range(1, 3).Select(i => $"set,{Luhn.With($"3500007100000{i}")},white,verified\n")), "type approval 2026-114");
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds a credential to the tokens file (as <c>eirctl token add</c> does) and returns its token.</summary>
    public string AddCredential(string name, CredentialRole role)
    {
        string token = CredentialsFile.NewToken();
        _credentials.Add(new Credential(name, role, CredentialsFile.HashToken(token), DateTimeOffset.UtcNow));
        CredentialsFile.Write(TokensFile, _credentials);
        return token;
    }

    /// <summary>Removes a credential from the tokens file (as <c>eirctl token revoke</c> does): refused from the registry's next request.</summary>
    public void Revoke(string name)
    {
        _credentials.RemoveAll(c => c.Name == name);
        CredentialsFile.Write(TokensFile, _credentials);
    }

    /// <summary>Pushes a CSV delta as the admin credential with a comment.</summary>
    public async Task PushAsync(string csv, string comment)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Api, "v1/deltas")) { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        request.Headers.Add("ImeiEir-Comment", Uri.EscapeDataString(comment));
        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /v1/deltas failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>GET on the registry's port with a token (or none): the status and the body.</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> GetAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, path));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        _root.Dispose();
    }
}
