using ImeiEir.Core;

namespace ImeiEir.Notify.Notices;

/// <summary>A notice as queries show it (<c>GET /v1/notices</c>, <c>eirctl notices</c>).</summary>
/// <param name="Key">The idempotency key (<see cref="NoticeRequest.Key"/>).</param>
/// <param name="Kind">Which text.</param>
/// <param name="State">Where it is.</param>
/// <param name="Imei">The device.</param>
/// <param name="Imsi">The subscriber's IMSI.</param>
/// <param name="Msisdn">The number it goes to; null while parked.</param>
/// <param name="Language">The text's language; null while parked.</param>
/// <param name="DeadlineUnixSeconds">The grey deadline, 0 for the black notices.</param>
/// <param name="LocalDay">The local day it was asked for.</param>
/// <param name="Attempts">HTTP attempts to Kannel so far.</param>
/// <param name="Created">When it was enqueued.</param>
/// <param name="Updated">Its last change.</param>
/// <param name="NextAttempt">Pending after a failure: not before this.</param>
/// <param name="Sent">When Kannel accepted it.</param>
/// <param name="Final">When the final delivery report came.</param>
/// <param name="LastDlrType">The last delivery report's Kannel type (1 delivered, 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected), 0 none.</param>
/// <param name="LastError">Why the last attempt failed.</param>
/// <param name="GatewayAnswer">Kannel's answer when it accepted.</param>
/// <param name="Text">The SMS text; null while parked.</param>
public sealed record NoticeView(
    string Key, NoticeKind Kind, NoticeState State, Imei Imei, string Imsi, string? Msisdn, NoticeLanguage? Language,
    uint DeadlineUnixSeconds, DateOnly LocalDay, int Attempts, DateTimeOffset Created, DateTimeOffset Updated,
    DateTimeOffset? NextAttempt, DateTimeOffset? Sent, DateTimeOffset? Final, byte LastDlrType, string? LastError,
    string? GatewayAnswer, string? Text);
