namespace ImeiEir.Diameter;

/// <summary>Diameter application identifiers (RFC 6733 §2.4, TS 29.272 §7.1.8).</summary>
public static class ApplicationIds
{
    /// <summary>Diameter common messages: CER, DWR, DPR.</summary>
    public const uint Common = 0;

    /// <summary>3GPP S13 / S13' (TS 29.272 §7.1.8).</summary>
    public const uint S13 = 16777252;

    /// <summary>Relay: a relay agent advertises it and supports every application (RFC 6733 §2.4).</summary>
    public const uint Relay = 0xFFFFFFFF;
}
