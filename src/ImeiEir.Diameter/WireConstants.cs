namespace ImeiEir.Diameter;

/// <summary>AVPs whose bytes never change, as <c>u8</c>-style constants in the assembly image (docs/ARCHITECTURE.md, convention 5).</summary>
internal static class WireConstants
{
    /// <summary>
    /// Vendor-Specific-Application-Id {Vendor-Id 10415, Auth-Application-Id 16777252} (RFC 6733 §6.11).
    /// <code>
    /// 00 00 01 04 | 40 00 00 20 |                       VSAI 260, M, length 32
    ///   00 00 01 0a | 40 00 00 0c | 00 00 28 af         Vendor-Id 266 = 10415
    ///   00 00 01 02 | 40 00 00 0c | 01 00 00 24         Auth-Application-Id 258 = 16777252
    /// </code>
    /// </summary>
    public static ReadOnlySpan<byte> S13VendorSpecificApplicationId =>
    [
        0x00, 0x00, 0x01, 0x04, 0x40, 0x00, 0x00, 0x20,
        0x00, 0x00, 0x01, 0x0a, 0x40, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x28, 0xaf,
        0x00, 0x00, 0x01, 0x02, 0x40, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x24,
    ];

    /// <summary>
    /// Auth-Session-State = 1 NO_STATE_MAINTAINED (RFC 6733 §8.11), required in every ECA (TS 29.272 §7.2.16).
    /// <code>
    /// 00 00 01 15 | 40 00 00 0c | 00 00 00 01
    /// </code>
    /// </summary>
    public static ReadOnlySpan<byte> AuthSessionStateNoState =>
    [
        0x00, 0x00, 0x01, 0x15, 0x40, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01,
    ];

    /// <summary>
    /// Result-Code = 2001 DIAMETER_SUCCESS.
    /// <code>
    /// 00 00 01 0c | 40 00 00 0c | 00 00 07 d1
    /// </code>
    /// </summary>
    public static ReadOnlySpan<byte> ResultCodeSuccess =>
    [
        0x00, 0x00, 0x01, 0x0c, 0x40, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x07, 0xd1,
    ];
}
