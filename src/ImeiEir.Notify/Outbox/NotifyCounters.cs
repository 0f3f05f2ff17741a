namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The outbox's numbers, for metrics. The first group are gauges (notices now in that state, restarts included);
/// the second are totals since this process started.
/// </summary>
public readonly record struct NotifyCounters(
    long Parked, long Pending, long Sending, long Sent, long Delivered, long Undelivered, long Failed,
    long Enqueued, long DuplicatesIgnored, long Accepted, long Retries, long DeliveryReports, long ResentAfterRestart);
