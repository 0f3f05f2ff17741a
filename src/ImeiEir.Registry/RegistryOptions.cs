using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The central registry (configuration section <c>Registry</c>): its HTTP API, tokens, delta limits and the
/// sizing of its current-state view. Bound with <c>ErrorOnUnknownConfiguration</c>, so only settable properties.
/// </summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>Shortest token accepted from configuration, in characters. Generated tokens are 43.</summary>
    internal const int MinTokenLength = 16;

    /// <summary>
    /// The registry an EIR node follows in <c>eir</c> mode: an absolute http(s) URL such as
    /// <c>http://registry.example.net:8700</c>, or several registry processes of one generation, comma-separated
    /// (<c>http://r1:8700,http://r2:8700</c>): the node follows one at a time and moves to the next when it fails
    /// (<see cref="Core.RegistryUrls"/>). Default null. Not used by the registry itself.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>IP address the registry HTTP API listens on (the Server binds it). Default 127.0.0.1; 0.0.0.0 for every interface.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port of the registry HTTP API. Default 8700; 0 picks a free port.</summary>
    public int Port { get; set; } = 8700;

    /// <summary>
    /// Bearer token for writes (<c>POST /v1/deltas</c>); it also reads. Default null: a random token is generated
    /// at first start into <c>&lt;registry directory&gt;/admin.token</c> (mode 0600) and reused afterwards. At least
    /// 16 characters, no white space. Never logged.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// Bearer token for the feed, the snapshot and lookups. Default null: generated like
    /// <see cref="AdminToken"/> into <c>reader.token</c>. At least 16 characters, no white space. Never logged.
    /// </summary>
    public string? ReaderToken { get; set; }

    /// <summary>
    /// The named credentials file (<see cref="Core.CredentialsFile"/>: name, role admin/reader/node, SHA-256 of the
    /// token), managed with <c>eirctl token</c> and reloaded on change without a restart. Default null:
    /// <c>&lt;registry directory&gt;/tokens</c> (<c>&lt;DataDir&gt;/registry/tokens</c>). A missing file means no named
    /// credentials: the admin and reader tokens above remain the single-machine default either way.
    /// </summary>
    public string? TokensFile { get; set; }

    /// <summary>
    /// An idle feed sends a heartbeat frame (head sequence, registry time) this often, so a node can tell a
    /// quiet registry from a dead connection. Default 5 s; 10 ms to 1 h.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most data lines one delta may have (lines). Default 1,000,000. More gets 413.</summary>
    public int MaxDeltaLines { get; set; } = 1_000_000;

    /// <summary>Largest delta body (bytes). Default 268,435,456 (256 MiB). Larger gets 413.</summary>
    public long MaxDeltaBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Records the current-state view is sized for (records). Default 1,000,000. More still work, with longer
    /// hash chains (see <c>Store:ExpectedRecords</c>).
    /// </summary>
    public long ExpectedRecords { get; set; } = 1_000_000;

    /// <summary>
    /// How often the current-state view is checkpointed (it is also checkpointed on shutdown). Default 5 min.
    /// A restart replays only the log after the last checkpoint.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Free space the data directory's disk must keep: a write (push, sighting, expiry) or checkpoint that would
    /// start below it is refused (503 naming ENOSPC; checkpoints are skipped) and goes through once space is freed,
    /// with no restart. Default 64 MiB: room for a large batch's log pages and the view's checkpoint at close.
    /// </summary>
    public long MinFreeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// A CSV list (<c>imei,list,reason[,deadline]</c>, a valid registry delta) pushed into the registry at every start:
    /// lines already so append nothing, and one bad line stops start-up with every bad line printed. Default null: none;
    /// a brand-new registry then starts with the small embedded demo list (see <see cref="LoadDemoLists"/>). The
    /// deprecated key <c>Store:InitialLists</c> is read into this one, with a warning at start.
    /// </summary>
    public string? InitialLists { get; set; }

    /// <summary>Seed a brand-new registry with the embedded demo list when no <see cref="InitialLists"/> is set. Default true.</summary>
    public bool LoadDemoLists { get; set; } = true;

    /// <summary>
    /// A backup file (<c>eirctl backup --out FILE</c>) to restore into the registry's directory before it opens, which
    /// must hold no registry yet (a new, empty data directory). The restored registry gets a new generation, so nodes
    /// that followed the old one bootstrap afresh. With <c>Registry:Log=JetStream</c> the stream must hold no change
    /// (deleted, or a new <c>Registry:Nats:Stream</c>): it is created and the backup's changes published to it; start
    /// one registry process with the key, the others on empty directories without it. Default null: none. Leave it out
    /// of later starts.
    /// </summary>
    public string? RestoreFrom { get; set; }

    /// <summary>
    /// How far back the change feed serves: a node asking for changes after one older than this (and older than the
    /// view's last checkpoint) gets 409 and bootstraps from the snapshot. Default 7 days; at least 1 minute. The log
    /// keeps the longer of this and <see cref="HistoryRetention"/> (README, "Retention").
    /// </summary>
    public TimeSpan FeedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long each IMEI's history stays queryable: <c>forever</c> (the default: the change log is never truncated)
    /// or a duration such as <c>400.00:00:00</c> (days.hours:minutes:seconds), at least 1 minute. Changes older than
    /// both this and <see cref="FeedRetention"/>, and before the view's last checkpoint, are dropped from the log in
    /// the background; history then simply begins later.
    /// </summary>
    public string HistoryRetention { get; set; } = Forever;

    /// <summary>
    /// Where a change is committed: <c>Local</c> (the default: this process's own change log, one registry process) or
    /// <c>JetStream</c> (a NATS JetStream stream, <see cref="Nats"/>, shared by several registry processes; each keeps
    /// its own log and view as a replica). README, "A registry on several machines".
    /// </summary>
    public string Log { get; set; } = LocalLog;

    /// <summary>The <see cref="Log"/> that commits to the local change log.</summary>
    public const string LocalLog = "Local";

    /// <summary>The <see cref="Log"/> that commits to a NATS JetStream stream.</summary>
    public const string JetStreamLog = "JetStream";

    /// <summary>True when <see cref="Log"/> is <c>JetStream</c> (any case).</summary>
    internal bool UsesJetStream => string.Equals(Log?.Trim(), JetStreamLog, StringComparison.OrdinalIgnoreCase);

    /// <summary>The NATS servers and stream of <c>Registry:Log=JetStream</c> (section <c>Registry:Nats</c>); unused otherwise.</summary>
    public JetStream.NatsOptions Nats { get; set; } = new();

    /// <summary>The <see cref="HistoryRetention"/> that keeps history for ever.</summary>
    public const string Forever = "forever";

    /// <summary><see cref="HistoryRetention"/> as a duration; null for <c>forever</c> (or an invalid value, which <see cref="Validate"/> reports).</summary>
    internal TimeSpan? HistoryWindow =>
        string.Equals(HistoryRetention?.Trim(), Forever, StringComparison.OrdinalIgnoreCase) ? null
        : TimeSpan.TryParse(HistoryRetention, System.Globalization.CultureInfo.InvariantCulture, out TimeSpan window) ? window : null;

    /// <summary>Checks every option; one <c>"Registry:Key: message"</c> line per problem, none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Url is not null && !RegistryUrls.TryParse(Url, out _, out string urlProblem))
            yield return $"{Section}:Url: {urlProblem}";
        if (!System.Net.IPAddress.TryParse(Host, out _))
            yield return $"{Section}:Host: '{Host}' is not an IP address (the listener binds an address, as Diameter:Host)";
        if (Port is < 0 or > 65535)
            yield return $"{Section}:Port: {Port} is not a port number (0-65535)";
        if (TokenProblem(AdminToken) is string adminProblem)
            yield return $"{Section}:AdminToken: {adminProblem}";
        if (TokenProblem(ReaderToken) is string readerProblem)
            yield return $"{Section}:ReaderToken: {readerProblem}";
        if (TokensFile is not null && (TokensFile.Trim().Length == 0 || TokensFile.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            yield return $"{Section}:TokensFile: '{TokensFile}' is not a file path";
        if (AdminToken is not null && AdminToken == ReaderToken)
            yield return $"{Section}:ReaderToken: must differ from Registry:AdminToken, or a reader could write";
        if (HeartbeatInterval < TimeSpan.FromMilliseconds(10) || HeartbeatInterval > TimeSpan.FromHours(1))
            yield return $"{Section}:HeartbeatInterval: {HeartbeatInterval} must be between 00:00:00.01 and 01:00:00";
        if (MaxDeltaLines < 1)
            yield return $"{Section}:MaxDeltaLines: {MaxDeltaLines} must be at least 1";
        if (MaxDeltaBytes < 1024)
            yield return $"{Section}:MaxDeltaBytes: {MaxDeltaBytes} must be at least 1024 bytes";
        if (ExpectedRecords is < 1 or > 1L << 36)
            yield return $"{Section}:ExpectedRecords: {ExpectedRecords} must be between 1 and {1L << 36}";
        if (MinFreeBytes < 0)
            yield return $"{Section}:MinFreeBytes: {MinFreeBytes} must be 0 or more bytes";
        if (CheckpointInterval < TimeSpan.FromSeconds(1))
            yield return $"{Section}:CheckpointInterval: {CheckpointInterval} must be at least 00:00:01";
        if (FeedRetention < MinRetention)
            yield return $"{Section}:FeedRetention: {FeedRetention} must be at least 00:01:00";
        if (HistoryRetention is null || (HistoryWindow is not TimeSpan history
                ? !string.Equals(HistoryRetention.Trim(), Forever, StringComparison.OrdinalIgnoreCase)
                : history < MinRetention))
            yield return $"{Section}:HistoryRetention: '{HistoryRetention}' must be 'forever' or a duration of at least 00:01:00 (days.hours:minutes:seconds)";
        if (RestoreFrom is not null && !File.Exists(RestoreFrom))
            yield return $"{Section}:RestoreFrom: file '{RestoreFrom}' does not exist";
        if (InitialLists is not null && !File.Exists(InitialLists))
            yield return $"{Section}:InitialLists: file '{InitialLists}' does not exist";
        if (!UsesJetStream && !string.Equals(Log?.Trim(), LocalLog, StringComparison.OrdinalIgnoreCase))
            yield return $"{Section}:Log: '{Log}' must be Local or JetStream";
        if (UsesJetStream)
        {
            foreach (string problem in Nats?.Validate() ?? [$"{JetStream.NatsOptions.Section}:Url: missing"]) yield return problem;
        }
    }

    private static readonly TimeSpan MinRetention = TimeSpan.FromMinutes(1);

    // Never echo the token itself: a validation message ends up in logs.
    private static string? TokenProblem(string? token)
    {
        if (token is null) return null;
        if (token.Length < MinTokenLength) return $"must be at least {MinTokenLength} characters (it has {token.Length}); leave it unset to generate one";
        foreach (char c in token)
        {
            if (c <= ' ' || c > '~') return "must be printable ASCII without spaces";
        }
        return null;
    }
}
