using ImeiEir.Registry.JetStream;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>Registry:Nats validation: one line per problem, naming the key.</summary>
public class NatsOptionsTests
{
    [Test]
    public void Three_server_urls_and_the_defaults_are_valid()
    {
        var options = new NatsOptions { Url = "nats://127.0.0.1:4222, nats://127.0.0.1:4223,tls://127.0.0.1:4224" };
        Assert.Multiple(() =>
        {
            Assert.That(options.Validate(), Is.Empty);
            Assert.That(options.Urls, Has.Count.EqualTo(3));
            Assert.That(options.Stream, Is.EqualTo("IMEIEIR_CHANGES"));
            Assert.That(options.Replicas, Is.EqualTo(3));
        });
    }

    [TestCase(null, "Registry:Nats:Url: missing")]
    [TestCase(" , ", "Registry:Nats:Url: missing")]
    [TestCase("nats://127.0.0.1:4222,http://127.0.0.1:4223", "Registry:Nats:Url: 'http://127.0.0.1:4223' is not a nats:// or tls:// URL")]
    [TestCase("127.0.0.1:4222", "Registry:Nats:Url: '127.0.0.1:4222' is not a nats:// or tls:// URL")]
    public void A_bad_url_list_is_one_line_naming_the_key(string? url, string expected)
    {
        string[] problems = [.. new NatsOptions { Url = url }.Validate()];
        Assert.That(problems, Has.Length.EqualTo(1));
        Assert.That(problems[0], Does.StartWith(expected));
    }

    [Test]
    public void Every_other_bad_key_is_named_on_its_own_line()
    {
        var options = new NatsOptions
        {
            Url = "nats://127.0.0.1:4222",
            Stream = "IMEIEIR.CHANGES",
            Replicas = 7,
            CredentialsFile = "/nonexistent/registry.creds",
            TlsCaFile = "/nonexistent/ca.pem",
        };
        Assert.That(options.Validate(), Is.EqualTo(new[]
        {
            "Registry:Nats:Stream: 'IMEIEIR.CHANGES' must be 1 to 64 letters, digits, '-' or '_'",
            "Registry:Nats:Replicas: 7 must be between 1 and 5",
            "Registry:Nats:CredentialsFile: file '/nonexistent/registry.creds' does not exist",
            "Registry:Nats:TlsCaFile: file '/nonexistent/ca.pem' does not exist",
        }));
    }
}
