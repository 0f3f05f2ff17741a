namespace ImeiEir.Notify.Sharing;

/// <summary>
/// The right to send SMS, held by one process at a time among the processes that share one outbox
/// (docs/ARCHITECTURE.md, "Notices"). The registry's JetStream lease implements it; the notifier only asks it.
/// </summary>
public interface INotifierLease
{
    /// <summary>How long a holder that stops renewing keeps the lease: the bound on a take-over after its death.</summary>
    TimeSpan TimeToLive { get; }

    /// <summary>Whether this process holds the lease now, by its own clock (it stops believing before anyone else can take it).</summary>
    bool IsHeld { get; }

    /// <summary>Renews the lease when held, tries to take it otherwise; returns <see cref="IsHeld"/> after. Never throws for an unreachable server.</summary>
    Task<bool> TryAcquireOrRenewAsync(CancellationToken ct);

    /// <summary>Gives the lease up at once (a clean stop), so another process takes it without waiting for it to run out.</summary>
    Task ReleaseAsync(CancellationToken ct);
}
