using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

/// <summary><c>GET /v1/whoami</c>: who a token signs in as (the admin console's sign-in), through a real Kestrel on 127.0.0.1.</summary>
public class WhoAmIHttpTests
{
    private Lifecycle _life = null!;
    private RegistryApiHost _host = null!;

    private string TokensPath => Path.Combine(_life.Registry.Directory, CredentialsFile.FileName);

    [SetUp]
    public async Task SetUp()
    {
        _life = await Lifecycle.OpenAsync();
        _host = await RegistryApiHost.StartAsync(_life.Registry, _life.Intake);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        await _life.DisposeAsync();
    }

    private string Add(string name, CredentialRole role) => TestCredentials.Add(TokensPath, name, role);

    private async Task<(HttpStatusCode Status, string Body)> WhoAmIAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await _host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [TestCase("police-1", CredentialRole.Admin, "admin")]
    [TestCase("auditor", CredentialRole.Reader, "reader")]
    [TestCase("node-a", CredentialRole.Node, "node")]
    public async Task A_named_credential_is_answered_with_its_name_and_role(string name, CredentialRole role, string roleName)
    {
        string token = Add(name, role);

        (HttpStatusCode status, string body) = await WhoAmIAsync(token);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        JsonElement json = JsonDocument.Parse(body).RootElement;
        Assert.That(json.GetProperty("name").GetString(), Is.EqualTo(name));
        Assert.That(json.GetProperty("role").GetString(), Is.EqualTo(roleName));
        Assert.That(body, Does.Not.Contain(token), "the token is never echoed");
    }

    [Test]
    public async Task The_default_tokens_answer_as_admin_and_reader()
    {
        (HttpStatusCode adminStatus, string admin) = await WhoAmIAsync(TestData.AdminToken);
        (HttpStatusCode readerStatus, string reader) = await WhoAmIAsync(TestData.ReaderToken);

        Assert.That(adminStatus, Is.EqualTo(HttpStatusCode.OK), admin);
        Assert.That(readerStatus, Is.EqualTo(HttpStatusCode.OK), reader);
        Assert.That(JsonDocument.Parse(admin).RootElement.GetProperty("role").GetString(), Is.EqualTo("admin"));
        Assert.That(JsonDocument.Parse(reader).RootElement.GetProperty("role").GetString(), Is.EqualTo("reader"));
    }

    [Test]
    public async Task No_token_a_wrong_token_and_a_revoked_credential_are_refused_with_401()
    {
        string token = Add("police-1", CredentialRole.Admin);
        Assert.That((await WhoAmIAsync(token)).Status, Is.EqualTo(HttpStatusCode.OK));

        CredentialsFile.Write(TokensPath, []);

        Assert.That((await WhoAmIAsync(token)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "revoked: refused from the next request");
        Assert.That((await WhoAmIAsync(null)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await WhoAmIAsync("not-a-token")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
