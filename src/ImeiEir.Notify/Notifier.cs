using ImeiEir.Core;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Outbox;
using ImeiEir.Notify.Pairs;
using ImeiEir.Notify.Rules;
using ImeiEir.Notify.Sharing;
using ImeiEir.Notify.Subscribers;
using ImeiEir.Notify.Texts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's parts opened together over one data directory: options, calendar, texts, subscriber directory,
/// outbox and the (IMEI, IMSI) pairs seen. The registry's host feeds its events to <see cref="CreateRegistryRules"/>;
/// the registry's admin app maps the HTTP API with <see cref="NotifyEndpoints.MapNotifyApi"/>; the host runs a
/// <see cref="NotifierService"/> from <see cref="CreateService"/>.
/// </summary>
public sealed class Notifier : IDisposable
{
    private Notifier(NotifyOptions options, NoticeCalendar calendar, NoticeTemplates templates, SubscriberDirectory subscribers, NoticeOutbox outbox,
        SightingPairs pairs, string dlrToken)
    {
        Options = options;
        DlrToken = dlrToken;
        Calendar = calendar;
        Templates = templates;
        Subscribers = subscribers;
        Outbox = outbox;
        Pairs = pairs;
    }

    public NotifyOptions Options { get; }

    /// <summary>How the outbox is shared with other registry processes (JetStream mode); null when it is this process's alone.</summary>
    public NoticeSharing? Sharing { get; private init; }

    private SharedNotices? _shared;

    /// <summary>The shared bucket's client in JetStream mode (tests hold its watch back through it), else null.</summary>
    internal SharedNotices? Shared => _shared;

    /// <summary>
    /// The secret every delivery report carries: <see cref="NotifyOptions.DlrToken"/>, else the one generated into
    /// <c>dlr.token</c> in the data directory at the first start. Never log it.
    /// </summary>
    public string DlrToken { get; }

    public NoticeCalendar Calendar { get; }

    public NoticeTemplates Templates { get; }

    public SubscriberDirectory Subscribers { get; }

    public NoticeOutbox Outbox { get; }

    /// <summary>Who was seen with which grey device: the addressees of reminders and blacklisted notices.</summary>
    public SightingPairs Pairs { get; }

    /// <summary>
    /// Validates the options, loads the texts, opens the directory and the outbox (creating the data directory). Dates
    /// and days are read in <paramref name="calendar"/>, the regime's calendar (default <see cref="RegimeCalendar.Default"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid; the message has one "Notify:Key: problem" line per problem.</exception>
    public static Task<Notifier> OpenAsync(NotifyOptions options, TimeProvider time, ILoggerFactory? loggers = null,
        RegimeCalendar? calendar = null, CancellationToken ct = default) =>
        OpenAsync(options, time, loggers, calendar, sharing: null, ct);

    /// <summary>
    /// As the other OpenAsync; with <paramref name="sharing"/> (JetStream mode) the outbox is shared with the other
    /// registry processes of the stream and only the lease holder sends (docs/ARCHITECTURE.md, "Notices").
    /// </summary>
    /// <exception cref="IOException">The shared outbox's bucket cannot be opened.</exception>
    public static async Task<Notifier> OpenAsync(NotifyOptions options, TimeProvider time, ILoggerFactory? loggers,
        RegimeCalendar? calendar, NoticeSharing? sharing, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        loggers ??= NullLoggerFactory.Instance;
        NoticeCalendar noticeCalendar = NoticeCalendar.Create(calendar ?? RegimeCalendar.Default, options);
        NoticeTemplates templates = NoticeTemplates.Load(options);
        SubscriberDirectory subscribers = await SubscriberDirectory.OpenAsync(options.DataDirectory, ct);
        subscribers.TemplateSetProblem = templates.Problem;
        string dlrToken = DlrTokens.Resolve(options, out DlrTokens.Source source, out string dlrTokenPath);
        DeliveryLog.DlrToken(loggers.CreateLogger("ImeiEir.Notify"), source switch
        {
            DlrTokens.Source.Configured => "configured",
            DlrTokens.Source.Loaded => "loaded",
            _ => "generated",
        }, source == DlrTokens.Source.Configured ? "Notify:DlrToken" : dlrTokenPath);
        NoticeOutbox outbox = NoticeOutbox.Open(options, subscribers, templates, noticeCalendar, time, loggers.CreateLogger("ImeiEir.Notify.Outbox"));
        SightingPairs pairs;
        SharedNotices? shared = null;
        try
        {
            if (sharing is not null)
            {
                ILogger sharingLogger = loggers.CreateLogger("ImeiEir.Notify.Sharing");
                shared = await SharedNotices.OpenAsync(sharing, sharingLogger, ct);
                string restored = Path.Combine(options.DataDirectory, NoticeOutbox.RestoredFileName);
                if (File.Exists(restored))
                {
                    RestoreLog.Published(sharingLogger, shared.Bucket, outbox.PublishRestored(shared));
                    File.Delete(restored);
                }
                await outbox.ShareAsync(shared, sharingLogger, ct);
            }
            pairs = SightingPairs.Open(options.DataDirectory, time, loggers.CreateLogger("ImeiEir.Notify.Pairs"));
        }
        catch
        {
            if (shared is not null) await shared.DisposeAsync();
            outbox.Dispose();
            throw;
        }
        return new Notifier(options, noticeCalendar, templates, subscribers, outbox, pairs, dlrToken) { Sharing = sharing, _shared = shared };
    }

    /// <summary>The background sender over this outbox (start it with the host, or StartAsync/StopAsync by hand).</summary>
    public NotifierService CreateService(HttpClient http, TimeProvider time, ILogger<NotifierService>? logger = null) =>
        new(Options, Outbox, Subscribers, Calendar, http, time, logger ?? NullLogger<NotifierService>.Instance, DlrToken, Sharing);

    /// <summary>The triggers of the grey-start, blacklisted and blocked-attach notices over this outbox and these pairs.</summary>
    public NoticeTriggers CreateTriggers(ILogger? logger = null) =>
        new(Outbox, Pairs, Calendar, logger ?? NullLogger.Instance, SetHas);

    /// <summary>
    /// Whether the subscriber's template set (by directory entry, else home network, else the default) has a text of
    /// <paramref name="kind"/>. Asked when the notice is made: a subscriber not in the directory yet is judged by its
    /// home network.
    /// </summary>
    internal bool SetHas(string imsi, Notices.NoticeKind kind) =>
        Templates.Has(Templates.For(imsi, Subscribers.TryGet(imsi, out Subscriber? subscriber) ? subscriber.TemplateSet : null), kind);

    /// <summary>The daily reminder loop (not started) over the lists <paramref name="lookup"/> reads, on the regime clock.</summary>
    public DailyReminders CreateReminders(DeviceLookup lookup, TimeProvider regimeTime, ILogger? logger = null) =>
        new(Pairs, Outbox, Calendar, lookup, regimeTime, logger ?? NullLogger.Instance, Options.RetainDays);

    /// <summary>
    /// The rules that turn the registry's events into notices, with the daily reminders (not started) over the records
    /// <paramref name="lookup"/> reads, on <paramref name="clock"/>.
    /// </summary>
    public RegistryNoticeRules CreateRegistryRules(DeviceLookup lookup, RegimeClock clock, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(clock);
        logger ??= NullLogger.Instance;
        return new RegistryNoticeRules(CreateTriggers(logger), CreateReminders(lookup, clock.Time, logger), clock, logger);
    }

    public void Dispose()
    {
        Pairs.Dispose();
        // The watch stops before the journal it feeds closes.
        _shared?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Outbox.Dispose();
    }
}
