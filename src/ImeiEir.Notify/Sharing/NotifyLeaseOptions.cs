namespace ImeiEir.Notify.Sharing;

/// <summary>
/// The sender lease of a registry on several machines (<c>Registry:Log=JetStream</c>; section <c>Notify:Lease</c>,
/// unused otherwise): one registry process at a time sends the SMS (docs/ARCHITECTURE.md, "Notices").
/// </summary>
public sealed class NotifyLeaseOptions
{
    public const string Section = "Notify:Lease";

    /// <summary>
    /// How long the lease outlives its holder's last renewal (renewed every third of it): when the sending process
    /// dies, another takes over within this plus a third of it. Default 10 s; 1 s to 5 min.
    /// </summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a new holder waits for the delivery report (type 8 or 1, at any registry process) of a notice its
    /// predecessor was sending before it sends it again: a report that comes later means one duplicate. Default 30 s;
    /// at least <c>Notify:RequestTimeout</c> (the predecessor's request may still be under way), at most 1 h.
    /// </summary>
    public TimeSpan DlrWait { get; set; } = TimeSpan.FromSeconds(30);

    internal IEnumerable<string> Validate(TimeSpan requestTimeout)
    {
        if (TimeToLive < TimeSpan.FromSeconds(1) || TimeToLive > TimeSpan.FromMinutes(5))
            yield return $"{Section}:{nameof(TimeToLive)}: {TimeToLive} must be between 00:00:01 and 00:05:00";
        if (DlrWait < requestTimeout || DlrWait > TimeSpan.FromHours(1))
            yield return $"{Section}:{nameof(DlrWait)}: {DlrWait} must be between Notify:RequestTimeout ({requestTimeout}) and 01:00:00";
    }
}
