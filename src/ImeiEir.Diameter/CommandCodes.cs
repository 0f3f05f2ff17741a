namespace ImeiEir.Diameter;

/// <summary>Command codes handled by the library (RFC 6733 §3.1, TS 29.272 §7.2.1).</summary>
public static class CommandCodes
{
    /// <summary>CER / CEA (RFC 6733 §5.3).</summary>
    public const uint CapabilitiesExchange = 257;

    /// <summary>DWR / DWA (RFC 6733 §5.5).</summary>
    public const uint DeviceWatchdog = 280;

    /// <summary>DPR / DPA (RFC 6733 §5.4).</summary>
    public const uint DisconnectPeer = 282;

    /// <summary>ECR / ECA, the S13 ME-Identity-Check (TS 29.272 §7.2.15 / §7.2.16).</summary>
    public const uint MeIdentityCheck = 324;
}
