using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>One validated delta line.</summary>
/// <param name="Line">1-based line number in the body (the header is line 1 in CSV).</param>
/// <param name="Op">The operation.</param>
/// <param name="Imei">The IMEI the line is about (for a replace, the old one).</param>
/// <param name="List">Set: the list; otherwise <see cref="ListKind.None"/>.</param>
/// <param name="Reason">Set: the reason; remove: the reason recorded in the tombstone (default admin); replace: service-replacement.</param>
/// <param name="DeadlineUnixSeconds">Set on grey: the deadline, Unix seconds UTC; otherwise 0.</param>
/// <param name="NewImei">Replace: the new IMEI; otherwise default.</param>
/// <param name="Imsi">Pair and unpair: the IMSI; otherwise <see cref="PackedImsi.None"/>.</param>
public readonly record struct DeltaLine(int Line, DeltaOp Op, Imei Imei, ListKind List, Reason Reason, uint DeadlineUnixSeconds, Imei NewImei,
    PackedImsi Imsi = default);
