using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Notify;

/// <summary>
/// The notifier's parts opened together over one data directory: options, calendar, texts, subscriber directory and
/// outbox. The trigger wiring enqueues through <see cref="Outbox"/>; the registry's admin app maps the HTTP API with
/// <see cref="NotifyEndpoints.MapNotifyApi"/>; the host runs a <see cref="NotifierService"/> from <see cref="CreateService"/>.
/// </summary>
public sealed class Notifier : IDisposable
{
    private Notifier(NotifyOptions options, NoticeCalendar calendar, NoticeTemplates templates, SubscriberDirectory subscribers, NoticeOutbox outbox)
    {
        Options = options;
        Calendar = calendar;
        Templates = templates;
        Subscribers = subscribers;
        Outbox = outbox;
    }

    public NotifyOptions Options { get; }

    public NoticeCalendar Calendar { get; }

    public NoticeTemplates Templates { get; }

    public SubscriberDirectory Subscribers { get; }

    public NoticeOutbox Outbox { get; }

    /// <summary>Validates the options, loads the texts, opens the directory and the outbox (creating the data directory).</summary>
    /// <exception cref="ArgumentException">The options are not valid; the message has one "Notify:Key: problem" line per problem.</exception>
    public static async Task<Notifier> OpenAsync(NotifyOptions options, TimeProvider time, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        loggers ??= NullLoggerFactory.Instance;
        NoticeCalendar calendar = NoticeCalendar.FromOptions(options);
        NoticeTemplates templates = NoticeTemplates.Load();
        SubscriberDirectory subscribers = await SubscriberDirectory.OpenAsync(options.DataDirectory, ct);
        NoticeOutbox outbox = NoticeOutbox.Open(options, subscribers, templates, calendar, time, loggers.CreateLogger("ImeiEir.Notify.Outbox"));
        return new Notifier(options, calendar, templates, subscribers, outbox);
    }

    /// <summary>The background sender over this outbox (start it with the host, or StartAsync/StopAsync by hand).</summary>
    public NotifierService CreateService(HttpClient http, TimeProvider time, ILogger<NotifierService>? logger = null) =>
        new(Options, Outbox, Subscribers, Calendar, http, time, logger ?? NullLogger<NotifierService>.Instance);

    public void Dispose() => Outbox.Dispose();
}
