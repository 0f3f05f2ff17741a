using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Http2;

/// <summary>
/// N5g-eir over HTTP/2 on the SBI port (TS 29.500 §5.2), asked by real HTTP/2 clients: cleartext with prior
/// knowledge, many concurrent streams on one connection, and h2 negotiated by ALPN over TLS.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class N5gEirHttp2Tests
{
    private const string HomeImsi = "401011234567890";
    private const string White = "352099001761481";       // demo list: white
    private const string Black = "351234560000002";       // demo list: black (stolen)
    private const string Path = "/n5g-eir-eic/v1/equipment-status";

    private string _root = null!;
    private InProcessHost _node = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imeieir-h2-" + Guid.NewGuid().ToString("N"));
        _node = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0), "--Mode=all-in-one",
            $"--DataDir={System.IO.Path.Combine(_root, "data")}", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0",
            "--Sbi:Host=127.0.0.1", "--Sbi:Port=0");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static string Url(IPEndPoint endPoint, string imei, string scheme = "http") =>
        $"{scheme}://{endPoint}{Path}?pei=imei-{imei}&supi=imsi-{HomeImsi}";

    [Test]
    public void N5g_eir_answers_HTTP2_with_prior_knowledge_on_the_SBI_port()
    {
        (int exit, string stdout, string transcript) = HttpClients.Run("curl", "-sS", "--http2-prior-knowledge", "--max-time", "20",
            "-w", "\n%{http_version} %{http_code}", Url(_node.Sbi, White));
        Assert.That(exit, Is.EqualTo(0), transcript);
        Assert.That(stdout, Is.EqualTo("{\"status\":\"WHITELISTED\"}\n2 200"));
    }

    [Test]
    public void The_HTTP_port_keeps_N5g_eir_over_HTTP1_and_the_SBI_port_answers_nothing_else()
    {
        var http = new IPEndPoint(IPAddress.Loopback, new Uri(_node.Http.ToString()).Port);
        (_, string h1, string h1Transcript) = HttpClients.Run("curl", "-sS", "--http1.1", "--max-time", "20",
            "-w", "\n%{http_version} %{http_code}", Url(http, Black));
        Assert.That(h1, Is.EqualTo("{\"status\":\"BLACKLISTED\"}\n1.1 200"), h1Transcript);

        // The lookup, health and metrics stay on the HTTP port, where people and scrapers look.
        foreach (string other in new[] { "/health/ready", "/metrics", $"/v1/imei/{White}" })
        {
            (_, string code, string transcript) = HttpClients.Run("curl", "-sS", "-o", "/dev/null", "--http2-prior-knowledge",
                "--max-time", "20", "-w", "%{http_version} %{http_code}", $"http://{_node.Sbi}{other}");
            Assert.That(code, Is.EqualTo("2 404"), other + "\n" + transcript);
        }
    }

    [Test]
    public void Two_thousand_requests_on_one_connection_100_streams_at_a_time_are_all_answered_200_with_the_right_body()
    {
        const int Requests = 2000;
        (int exit, string stdout, string transcript) = HttpClients.Run("h2load", "-n", $"{Requests}", "-c", "1", "-m", "100",
            "-T", "30", "-N", "30", Url(_node.Sbi, White));
        Assert.That(exit, Is.EqualTo(0), transcript);
        Assert.That(stdout, Does.Contain($"requests: {Requests} total, {Requests} started, {Requests} done, {Requests} succeeded, 0 failed, 0 errored, 0 timeout"), stdout);
        Assert.That(stdout, Does.Contain($"status codes: {Requests} 2xx, 0 3xx, 0 4xx, 0 5xx"), stdout);
        Assert.That(stdout, Does.Match(@"Application protocol: h2c"), stdout);
        // h2load keeps no bodies, but counts their bytes: every one was {"status":"WHITELISTED"}, 24 bytes.
        Match data = DataBytes().Match(stdout);
        Assert.That(data.Success, Is.True, stdout);
        Assert.That(long.Parse(data.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(Requests * "{\"status\":\"WHITELISTED\"}".Length), stdout);
    }

    [Test]
    public void Concurrent_streams_for_different_IMEIs_each_get_their_own_answer()
    {
        // nghttp sends every request on one connection at once (30 per URI) and prints each body as it completes.
        const int Each = 30;
        string grey = Luhn.With("35274108100076"); // unknown, home subscriber: provisionally grey
        (int exit, string stdout, string transcript) = HttpClients.Run("nghttp", "-m", $"{Each}", "-t", "30",
            Url(_node.Sbi, White), Url(_node.Sbi, Black), Url(_node.Sbi, grey));
        Assert.That(exit, Is.EqualTo(0), transcript);
        Assert.Multiple(() =>
        {
            Assert.That(Count(stdout, "{\"status\":\"WHITELISTED\"}"), Is.EqualTo(Each), stdout);
            Assert.That(Count(stdout, "{\"status\":\"BLACKLISTED\"}"), Is.EqualTo(Each), stdout);
            Assert.That(Count(stdout, "{\"status\":\"GREYLISTED\"}"), Is.EqualTo(Each), stdout);
        });
    }

    [Test]
    public async Task With_a_certificate_the_SBI_port_is_TLS_and_negotiates_h2_by_ALPN()
    {
        string directory = System.IO.Path.Combine(_root, "tls");
        Directory.CreateDirectory(directory);
        (string certificate, string key) = WriteSelfSigned(directory);
        InProcessHost tls = await InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0), "--Mode=all-in-one",
            $"--DataDir={System.IO.Path.Combine(directory, "data")}", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0",
            "--Sbi:Host=127.0.0.1", "--Sbi:Port=0", $"--Sbi:CertificatePath={certificate}", $"--Sbi:CertificateKeyPath={key}");
        try
        {
            (int exit, string stdout, string transcript) = HttpClients.Run("curl", "-sS", "-k", "--http2", "--max-time", "20",
                "-w", "\n%{http_version} %{http_code}", Url(tls.Sbi, White, "https"));
            Assert.That(exit, Is.EqualTo(0), transcript);
            Assert.That(stdout, Is.EqualTo("{\"status\":\"WHITELISTED\"}\n2 200"));

            (exit, stdout, transcript) = HttpClients.Run("nghttp", "-v", "-t", "30", Url(tls.Sbi, Black, "https"));
            Assert.That(exit, Is.EqualTo(0), transcript);
            Assert.That(stdout, Does.Contain("The negotiated protocol: h2"), stdout);
            Assert.That(stdout, Does.Contain("{\"status\":\"BLACKLISTED\"}"), stdout);

            // A client that offers only http/1.1 in ALPN still gets an answer over TLS.
            (exit, stdout, transcript) = HttpClients.Run("curl", "-sS", "-k", "--http1.1", "--max-time", "20",
                "-w", "\n%{http_version} %{http_code}", Url(tls.Sbi, White, "https"));
            Assert.That(stdout, Is.EqualTo("{\"status\":\"WHITELISTED\"}\n1.1 200"), transcript);

            // And nothing answers in cleartext there.
            (exit, _, transcript) = HttpClients.Run("curl", "-sS", "--http2-prior-knowledge", "--max-time", "20", Url(tls.Sbi, White));
            Assert.That(exit, Is.Not.EqualTo(0), transcript);
        }
        finally
        {
            await tls.DisposeAsync();
        }
    }

    // A P-256 certificate for 127.0.0.1 and localhost, valid for a day, as PEM certificate and PKCS#8 key files.
    private static (string Certificate, string Key) WriteSelfSigned(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certificatePath = System.IO.Path.Combine(directory, "sbi.pem");
        string keyPath = System.IO.Path.Combine(directory, "sbi.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private static int Count(string text, string value) => Regex.Matches(text, Regex.Escape(value)).Count;

    [GeneratedRegex(@"traffic: .* \((\d+)\) data")]
    private static partial Regex DataBytes();
}
