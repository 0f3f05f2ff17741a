namespace ImeiEir.Notify;

/// <summary>
/// The notifier (configuration section <c>Notify</c>): where the Kannel gateway is, how fast and how persistently to
/// send, the local time of notices, and where the outbox and the subscriber directory live. Only settable
/// properties, so it binds with <c>ErrorOnUnknownConfiguration</c>.
/// </summary>
public sealed class NotifyOptions
{
    public const string Section = "Notify";

    /// <summary>
    /// Kannel smsbox's sendsms URL, e.g. <c>http://10.0.0.7:13013/cgi-bin/sendsms</c>. Default null: delivery is off,
    /// notices are still recorded (and parked or pending) and go out once it is set.
    /// </summary>
    public string? SendSmsUrl { get; set; }

    /// <summary>The Kannel <c>sendsms-user</c> username. Required with <see cref="SendSmsUrl"/>.</summary>
    public string? Username { get; set; }

    /// <summary>The <c>sendsms-user</c> password. Required with <see cref="SendSmsUrl"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender subscribers see (Kannel <c>from</c>): a short number or an alphanumeric name (at most 20 characters). Required with <see cref="SendSmsUrl"/>.</summary>
    public string? From { get; set; }

    /// <summary>
    /// Where Kannel reports deliveries: this service's <c>/v1/notices/dlr</c> as Kannel reaches it, e.g.
    /// <c>http://10.0.0.5:8700/v1/notices/dlr</c>. Default null: no delivery reports are asked for and notices end at Sent.
    /// </summary>
    public string? DlrUrl { get; set; }

    /// <summary>Kannel <c>dlr-mask</c>: 1 delivered, 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected. Default 31 (all); 1-31.</summary>
    public int DlrMask { get; set; } = 31;

    /// <summary>
    /// A shared secret put in the dlr-url (<c>&amp;token=</c>) and required by the callback, since Kannel cannot send a
    /// bearer token. Default null: a token is generated at the first start into <c>dlr.token</c> in
    /// <see cref="DataDirectory"/> (mode 0600) and kept; a report without the token is refused either way. At least 16
    /// characters.
    /// </summary>
    public string? DlrToken { get; set; }

    /// <summary>Most SMS handed to Kannel per second (messages/s, spread evenly). Default 10; 0.01 to 10,000.</summary>
    public double RatePerSecond { get; set; } = 10;

    /// <summary>First retry delay after the gateway is down or answers an error. Default 1 s; doubles per consecutive failure.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest retry delay. Default 5 min.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Attempts after which a notice is given up (state Failed). Default 0: never give up, so a gateway that is down
    /// for days loses nothing; a notice then waits at <see cref="MaxBackoff"/> between attempts.
    /// </summary>
    public int MaxAttempts { get; set; }

    /// <summary>Timeout of one sendsms request. Default 10 s. A timeout counts as a failed attempt (Kannel may still have queued it: see the duplicate guarantee).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Local time of the daily reminder, in the regime's time zone (<c>Policy:TimeZone</c>). Default 12:00.</summary>
    public TimeOnly DailyReminderTime { get; set; } = new(12, 0);

    /// <summary>
    /// Days a finished notice (sent, delivered, undelivered, failed) is kept after its day (a grey start: after its
    /// deadline), for <c>eirctl notices</c> and late delivery reports. Default 35. Older ones are dropped at start and
    /// after each daily round, so the outbox holds weeks of reminders, not years. Pending and parked notices are never
    /// dropped. At least 1: a notice must outlive the day its key can be asked for again.
    /// </summary>
    public int RetainDays { get; set; } = 35;

    /// <summary>The outbox journal and the subscriber directory live here. Default <c>data/notify</c>.</summary>
    public string DataDirectory { get; set; } = Path.Combine("data", "notify");

    /// <summary>Largest subscriber import accepted over HTTP (bytes). Default 268,435,456 (256 MiB).</summary>
    public long MaxImportBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The operator's own template set files (README.md, "SMS notices", for the format), read at start-up after the
    /// shipped sets <c>tele2</c> and <c>altel</c>; a file whose <c>set:</c> names a shipped set replaces it. Default none.
    /// </summary>
    public string[] TemplateSets { get; set; } = [];

    /// <summary>The set a subscriber gets when neither its directory entry nor its home network names one, and the set
    /// a kind falls back to when the chosen set lacks it. Default <c>tele2</c>; it must have the four registry notices.</summary>
    public string DefaultTemplateSet { get; set; } = "tele2";

    /// <summary>
    /// Home network (MCC+MNC of the IMSI, 5 or 6 digits) → template set, e.g. <c>"40107": "altel"</c>. Default none:
    /// everyone gets <see cref="DefaultTemplateSet"/> unless the directory names a set.
    /// </summary>
    public Dictionary<string, string> NetworkTemplateSets { get; set; } = [];

    /// <summary>
    /// Template set → the URL its texts print for «[ссылка на Обязательства]» (the commitments the subscriber accepts),
    /// e.g. <c>"altel": "https://altel.kz/..."</c>. Default none: a set that prints the link cannot be chosen until its
    /// URL is given (start-up names the key).
    /// </summary>
    public Dictionary<string, string> CommitmentsUrls { get; set; } = [];

    /// <summary>The sender lease when the registry runs on several machines (<c>Registry:Log=JetStream</c>).</summary>
    public Sharing.NotifyLeaseOptions Lease { get; set; } = new();

    /// <summary>True when <see cref="SendSmsUrl"/> is set: the notifier sends.</summary>
    public bool DeliveryEnabled => !string.IsNullOrWhiteSpace(SendSmsUrl);

    /// <summary>Checks every option; one <c>"Notify:Key: message"</c> line per problem, none when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Problem(string key, string message) => problems.Add($"{Section}:{key}: {message}");

        if (SendSmsUrl is not null && !IsHttpUrl(SendSmsUrl))
            Problem(nameof(SendSmsUrl), $"'{SendSmsUrl}' is not an absolute http:// or https:// URL (Kannel's sendsms, e.g. http://127.0.0.1:13013/cgi-bin/sendsms)");
        if (DeliveryEnabled)
        {
            if (string.IsNullOrEmpty(Username)) Problem(nameof(Username), "required with Notify:SendSmsUrl (the Kannel sendsms-user username)");
            if (string.IsNullOrEmpty(Password)) Problem(nameof(Password), "required with Notify:SendSmsUrl (the Kannel sendsms-user password)");
            if (string.IsNullOrWhiteSpace(From)) Problem(nameof(From), "required with Notify:SendSmsUrl (the sender subscribers see)");
        }
        if (From is not null && (From.Length > 20 || From.Any(char.IsControl)))
            Problem(nameof(From), "must be at most 20 printable characters");
        if (DlrUrl is not null && (!IsHttpUrl(DlrUrl) || DlrUrl.Contains('?') || DlrUrl.Contains('#')))
            Problem(nameof(DlrUrl), $"'{DlrUrl}' is not an absolute http:// or https:// URL without a query (our /v1/notices/dlr as Kannel reaches it)");
        if (DlrMask is < 1 or > 31)
            Problem(nameof(DlrMask), $"{DlrMask} must be between 1 and 31 (a sum of 1, 2, 4, 8, 16)");
        if (DlrToken is not null && (DlrToken.Length < 16 || DlrToken.Any(c => c <= ' ' || c > '~')))
            Problem(nameof(DlrToken), "must be at least 16 printable ASCII characters without spaces");
        if (!(RatePerSecond >= 0.01 && RatePerSecond <= 10_000))
            Problem(nameof(RatePerSecond), $"{RatePerSecond} must be between 0.01 and 10000 messages per second");
        if (InitialBackoff < TimeSpan.FromMilliseconds(1))
            Problem(nameof(InitialBackoff), $"{InitialBackoff} must be at least 00:00:00.001");
        if (MaxBackoff < InitialBackoff)
            Problem(nameof(MaxBackoff), $"{MaxBackoff} must be at least Notify:InitialBackoff ({InitialBackoff})");
        if (MaxAttempts < 0)
            Problem(nameof(MaxAttempts), $"{MaxAttempts} must be 0 (never give up) or more");
        if (RequestTimeout < TimeSpan.FromMilliseconds(10) || RequestTimeout > TimeSpan.FromMinutes(10))
            Problem(nameof(RequestTimeout), $"{RequestTimeout} must be between 00:00:00.01 and 00:10:00");
        if (RetainDays is < 1 or > 3660)
            Problem(nameof(RetainDays), $"{RetainDays} must be between 1 and 3660 days");
        if (string.IsNullOrWhiteSpace(DataDirectory))
            Problem(nameof(DataDirectory), "must name a directory");
        foreach (string path in TemplateSets)
        {
            if (string.IsNullOrWhiteSpace(path)) Problem(nameof(TemplateSets), "an entry is empty (give a template set file's path)");
        }
        if (string.IsNullOrWhiteSpace(DefaultTemplateSet))
            Problem(nameof(DefaultTemplateSet), "must name a template set (e.g. tele2)");
        foreach ((string network, string set) in NetworkTemplateSets)
        {
            if (network.Length is < 5 or > 6 || !network.All(char.IsAsciiDigit))
                Problem($"{nameof(NetworkTemplateSets)}:{network}", "is not an MCC+MNC of 5 or 6 digits (e.g. 40107)");
            if (string.IsNullOrWhiteSpace(set))
                Problem($"{nameof(NetworkTemplateSets)}:{network}", "must name a template set");
        }
        foreach ((string set, string url) in CommitmentsUrls)
        {
            if (!IsHttpUrl(url))
                Problem($"{nameof(CommitmentsUrls)}:{set}", $"'{url}' is not an absolute http:// or https:// URL");
        }
        if (MaxImportBytes < 1024)
            Problem(nameof(MaxImportBytes), $"{MaxImportBytes} must be at least 1024 bytes");
        problems.AddRange(Lease.Validate(RequestTimeout));
        return problems;
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
}
