namespace ImeiEir.Registry.JetStream;

/// <summary>
/// The NATS JetStream change log (configuration section <c>Registry:Nats</c>): where the servers are, which stream
/// holds the changes and how many servers keep each change. Used when <c>Registry:Log=JetStream</c>
/// (<see cref="RegistryOptions.Log"/>).
/// </summary>
public sealed class NatsOptions
{
    public const string Section = "Registry:Nats";

    /// <summary>Default stream name.</summary>
    public const string DefaultStream = "IMEIEIR_CHANGES";

    /// <summary>
    /// The NATS servers, comma-separated <c>nats://host:port</c> (or <c>tls://</c>) URLs, e.g.
    /// <c>nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222</c>. Listing several lets the client
    /// start while one is down. Default null (required when the JetStream log is used).
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// The JetStream stream holding the change log; created at first start when missing. Letters, digits, '-' and
    /// '_' only, at most 64. Default <c>IMEIEIR_CHANGES</c>. Registry processes with the same stream share one log
    /// and one generation.
    /// </summary>
    public string Stream { get; set; } = DefaultStream;

    /// <summary>
    /// Servers that keep every change (the stream's replicas); a change is acknowledged once a majority stored it.
    /// Used only when the stream is created. Default 3; 1 to 5 (NATS's limit).
    /// </summary>
    public int Replicas { get; set; } = 3;

    /// <summary>A NATS credentials file (<c>.creds</c>: user JWT and NKey seed). Default null: no credentials.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities trusted for the servers' TLS certificates. Default null: the
    /// system's trust store (TLS is used when a URL is <c>tls://</c> or the server requires it).
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// Longest wait for one answer of the stream while committing (the acknowledgements of a window of messages, a
    /// read of the stream's end): past it the write is answered 503 naming the stream, nothing is applied locally and
    /// the same write again is safe. It bounds each wait, not a whole push, so a large push that keeps being
    /// acknowledged is not cut. Without it a push made while every NATS server is down was not answered at all.
    /// Default 5 s; 100 ms to 10 min.
    /// </summary>
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The URLs of <see cref="Url"/>, split and trimmed.</summary>
    public IReadOnlyList<string> Urls =>
        Url is null ? [] : Url.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Checks every option; one <c>"Registry:Nats:Key: message"</c> line per problem, none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Url is null || Urls.Count == 0)
        {
            yield return $"{Section}:Url: missing: give the NATS servers, e.g. nats://127.0.0.1:4222,nats://127.0.0.1:4223";
        }
        else
        {
            foreach (string url in Urls)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "nats" && uri.Scheme != "tls") || uri.Host.Length == 0)
                {
                    yield return $"{Section}:Url: '{url}' is not a nats:// or tls:// URL with a host";
                    break;
                }
            }
        }
        if (Stream is null || Stream.Length is 0 or > 64 || !Stream.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            yield return $"{Section}:Stream: '{Stream}' must be 1 to 64 letters, digits, '-' or '_'";
        if (Replicas is < 1 or > 5)
            yield return $"{Section}:Replicas: {Replicas} must be between 1 and 5";
        if (CommitTimeout < TimeSpan.FromMilliseconds(100) || CommitTimeout > TimeSpan.FromMinutes(10))
            yield return $"{Section}:CommitTimeout: {CommitTimeout} must be between 00:00:00.1 and 00:10:00";
        if (CredentialsFile is not null && !File.Exists(CredentialsFile))
            yield return $"{Section}:CredentialsFile: file '{CredentialsFile}' does not exist";
        if (TlsCaFile is not null && !File.Exists(TlsCaFile))
            yield return $"{Section}:TlsCaFile: file '{TlsCaFile}' does not exist";
    }
}
