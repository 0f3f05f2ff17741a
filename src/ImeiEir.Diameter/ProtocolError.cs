namespace ImeiEir.Diameter;

/// <summary>
/// What is wrong with a request and how to report it: the Result-Code and the recipe for the Failed-AVP
/// (RFC 6733 §7.5). The recipe points into the request by offset, so building the error allocates nothing and the
/// answer writer copies the offending bytes straight from the request.
/// <code>
/// Failed-AVP 279 (M) ─┬─ [parent header, e.g. Terminal-Information 1401 (V M 10415)]
///                     └── the offending AVP as received          (5001, 5004, 5009, ...)
///                         | its header, length = header size     (5014, when its length cannot be trusted)
///                         | a zero-filled example                (5005, RFC 6733 §7.5: "of correct minimum length")
/// </code>
/// </summary>
public readonly struct ProtocolError
{
    internal enum FailedAvpKind : byte
    {
        None,
        Copy,
        HeaderOnly,
        Example,
    }

    private ProtocolError(uint resultCode, FailedAvpKind kind, int parentOffset, int avpOffset, int avpLength,
        uint code, byte flags, uint vendorId)
    {
        ResultCode = resultCode;
        Kind = kind;
        ParentOffset = parentOffset;
        AvpOffset = avpOffset;
        AvpLength = avpLength;
        FailedAvpCode = code;
        ExampleFlags = flags;
        ExampleVendorId = vendorId;
    }

    /// <summary>The Result-Code to answer with.</summary>
    public uint ResultCode { get; }

    /// <summary>A 3xxx protocol error: the answer is the RFC 6733 §7.2 answer-message with the E bit.</summary>
    public bool IsProtocolError => ResultCodes.IsProtocolError(ResultCode);

    /// <summary>True when the answer carries a Failed-AVP.</summary>
    public bool HasFailedAvp => Kind != FailedAvpKind.None;

    /// <summary>Code of the offending (or missing) AVP, for logs and metrics; 0 without a Failed-AVP.</summary>
    public uint FailedAvpCode { get; }

    internal FailedAvpKind Kind { get; }

    /// <summary>Offset in the request of the grouped AVP whose header wraps the failed one; -1 for none.</summary>
    internal int ParentOffset { get; }

    /// <summary>Copy / HeaderOnly: offset in the request of the offending AVP.</summary>
    internal int AvpOffset { get; }

    /// <summary>Copy: AVP Length of the offending AVP; HeaderOnly: header bytes present; Example: data length.</summary>
    internal int AvpLength { get; }

    internal byte ExampleFlags { get; }

    internal uint ExampleVendorId { get; }

    /// <summary>An error without a Failed-AVP, e.g. 3004 TOO_BUSY, 3001, 3007.</summary>
    public static ProtocolError FromResultCode(uint resultCode) =>
        new(resultCode, FailedAvpKind.None, -1, 0, 0, 0, 0, 0);

    /// <summary>
    /// 5004 INVALID_AVP_VALUE for an IMEI the decision refused (docs/ARCHITECTURE.md, rule 1):
    /// Failed-AVP = Terminal-Information { the IMEI AVP as received }.
    /// </summary>
    public static ProtocolError ForInvalidImei(in EcrView ecr) =>
        Copy(ResultCodes.InvalidAvpValue, ecr.TerminalInformationOffset, ecr.ImeiOffset, ecr.ImeiAvpLength, AvpCodes.Imei);

    /// <inheritdoc/>
    public override string ToString() =>
        HasFailedAvp ? $"Result-Code {ResultCode}, Failed-AVP {FailedAvpCode}" : $"Result-Code {ResultCode}";

    internal static ProtocolError Copy(uint resultCode, int parentOffset, int avpOffset, int avpLength, uint code) =>
        new(resultCode, FailedAvpKind.Copy, parentOffset, avpOffset, avpLength, code, 0, 0);

    internal static ProtocolError HeaderOnly(uint resultCode, int parentOffset, int avpOffset, int availableBytes, uint code) =>
        new(resultCode, FailedAvpKind.HeaderOnly, parentOffset, avpOffset, availableBytes, code, 0, 0);

    internal static ProtocolError Missing(int parentOffset, uint code, byte flags, uint vendorId, int dataLength) =>
        new(ResultCodes.MissingAvp, FailedAvpKind.Example, parentOffset, 0, dataLength, code, flags, vendorId);
}
