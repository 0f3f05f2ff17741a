using ImeiEir.Notify;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Outbox;
using ImeiEir.Node.Observability;
using ImeiEir.Server.Hosting;
using Prometheus;

namespace ImeiEir.Server.Observability;

/// <summary>
/// The notifier's side, for the SMS-gateway operator: notices by state now, notices made by kind, the gateway's
/// answers, the pairs reminders go to, and whether this process is the one sending. Read at scrape time from the
/// outbox's and the triggers' counters and the sender lease.
/// </summary>
internal sealed class NotifyMetrics
{
    private static readonly (NoticeKind Kind, string Name)[] s_kinds =
        [.. Enum.GetValues<NoticeKind>().Select(k => (k, k.ToName()))];

    private readonly Notifier _notifier;
    private readonly RegistryNotices _notices;
    private readonly Gauge _byState;
    private readonly Counter _made;
    private readonly Counter _accepted;
    private readonly Counter _failedAttempts;
    private readonly Counter _deliveryReports;
    private readonly Gauge _pairs;
    private readonly Gauge _sender;

    public NotifyMetrics(NodeMetrics metrics, Notifier notifier, RegistryNotices notices)
    {
        _notifier = notifier;
        _notices = notices;
        IMetricFactory f = metrics.Factory;
        _byState = f.CreateGauge("imeieir_notices", "Notices in the outbox now, by state (parked: subscriber not in the directory yet).",
            new GaugeConfiguration { LabelNames = ["state"] });
        _made = f.CreateCounter("imeieir_notices_made_total", "New notices this process put in the outbox, by kind (a notice asked for again is not counted).",
            new CounterConfiguration { LabelNames = ["kind"] });
        _accepted = f.CreateCounter("imeieir_notices_accepted_total", "SMS the gateway (Kannel sendsms) accepted.");
        _failedAttempts = f.CreateCounter("imeieir_notice_attempts_failed_total", "sendsms attempts that failed (gateway down, or an error answer); each is retried with back-off.");
        _deliveryReports = f.CreateCounter("imeieir_notice_delivery_reports_total", "Delivery reports received from the gateway.");
        _pairs = f.CreateGauge("imeieir_notice_pairs", "(IMEI, IMSI) pairs of grey devices the daily reminder goes to.");
        _sender = f.CreateGauge("imeieir_notice_sender",
            "1 while this process is the one sending the SMS notices: a gateway is configured and, with several registry processes (JetStream), it holds the sender lease; else 0.");
        metrics.Registry.AddBeforeCollectCallback(Collect);
    }

    private void Collect()
    {
        NotifyCounters c = _notifier.Outbox.Counters;
        _byState.WithLabels("parked").Set(c.Parked);
        _byState.WithLabels("pending").Set(c.Pending);
        _byState.WithLabels("sending").Set(c.Sending);
        _byState.WithLabels("sent").Set(c.Sent);
        _byState.WithLabels("delivered").Set(c.Delivered);
        _byState.WithLabels("undelivered").Set(c.Undelivered);
        _byState.WithLabels("failed").Set(c.Failed);
        foreach ((NoticeKind kind, string name) in s_kinds) _made.WithLabels(name).IncTo(_notices.Made(kind));
        _accepted.IncTo(c.Accepted);
        _failedAttempts.IncTo(c.Retries);
        _deliveryReports.IncTo(c.DeliveryReports);
        _pairs.Set(_notifier.Pairs.Count);
        _sender.Set(_notifier.Options.DeliveryEnabled && (_notifier.Sharing is null || _notifier.Sharing.Lease.IsHeld) ? 1 : 0);
    }
}
