using ImeiEir.Core;
using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The whole state of one notice. Every transition appends the new record to the journal; on open the last record
/// of each key wins, so replay needs no per-transition logic and compaction keeps one record per notice.
/// Times are Unix milliseconds, 0 = not yet.
/// </summary>
internal sealed record NoticeRecord
{
    public required string Key { get; init; }
    public required NoticeKind Kind { get; init; }
    public required NoticeState State { get; init; }
    public required Imei Imei { get; init; }
    public required string Imsi { get; init; }
    public uint DeadlineUnixSeconds { get; init; }
    public DateOnly LocalDay { get; init; }

    /// <summary>HTTP attempts made so far (a resend after a crash counts again).</summary>
    public int Attempts { get; init; }

    /// <summary>Set once the subscriber is known (not for Parked).</summary>
    public string? Msisdn { get; init; }

    /// <summary>0 until the subscriber is known.</summary>
    public NoticeLanguage Language { get; init; }

    /// <summary>The rendered SMS text; what is sent, and resent after a crash, unchanged.</summary>
    public string? Text { get; init; }

    public long CreatedMs { get; init; }
    public long UpdatedMs { get; init; }

    /// <summary>Pending: not before this time (back-off).</summary>
    public long NextAttemptMs { get; init; }

    /// <summary>When Kannel accepted it.</summary>
    public long SentMs { get; init; }

    /// <summary>When the final delivery report (delivered / undelivered) arrived.</summary>
    public long FinalMs { get; init; }

    /// <summary>The type of the last delivery report (1, 2, 4, 8, 16), 0 = none.</summary>
    public byte LastDlrType { get; init; }

    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; init; }

    /// <summary>Kannel's answer when it accepted, e.g. "0: Accepted for delivery".</summary>
    public string? GatewayAnswer { get; init; }

    public NoticeView ToView() => new(
        Key, Kind, State, Imei, Imsi, Msisdn, Language == 0 ? null : Language, DeadlineUnixSeconds, LocalDay, Attempts,
        Time(CreatedMs)!.Value, Time(UpdatedMs)!.Value, State == NoticeState.Pending ? Time(NextAttemptMs) : null, Time(SentMs), Time(FinalMs),
        LastDlrType, LastError, GatewayAnswer, Text);

    private static DateTimeOffset? Time(long ms) => ms == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
