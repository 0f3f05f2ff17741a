namespace ImeiEir.Notify.Notices;

/// <summary>
/// Where a notice is in the outbox. Journal values: never renumber.
/// <code>
///            subscriber imported
///   Parked ───────────────────────► Pending ◄──────── gateway down / error (back-off)
///   (no subscriber)                   │   ▲                     │
///                                     ▼   └─ restart while ─────┤
///                                  Sending    Sending (resent)  │
///                                     │                         ▼
///                  Kannel 202/200 ────┤               Failed (only with Notify:MaxAttempts)
///                                     ▼
///                                   Sent ──DLR 1──► Delivered
///                                     └───DLR 2/16─► Undelivered
/// </code>
/// </summary>
public enum NoticeState : byte
{
    /// <summary>No subscriber for the IMSI in the directory yet: kept and counted, sent once the subscriber is imported.</summary>
    Parked = 1,

    /// <summary>Text rendered, waiting for its turn (or for the back-off after a failed attempt).</summary>
    Pending = 2,

    /// <summary>Recorded durably just before the HTTP call to Kannel; after a crash in this state the notice is resent.</summary>
    Sending = 3,

    /// <summary>Kannel accepted it (HTTP 202 or 200).</summary>
    Sent = 4,

    /// <summary>A delivery report said delivered (Kannel DLR type 1).</summary>
    Delivered = 5,

    /// <summary>A delivery report said not delivered (DLR type 2) or rejected by the SMSC (type 16).</summary>
    Undelivered = 6,

    /// <summary>Given up after <c>Notify:MaxAttempts</c> failed attempts (only when that cap is set).</summary>
    Failed = 7,
}
