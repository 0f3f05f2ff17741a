namespace ImeiEir.Diameter;

/// <summary>Why a header was rejected as <see cref="FrameStatus.Invalid"/>.</summary>
public enum FrameError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>Version is not 1.</summary>
    BadVersion,

    /// <summary>Message Length is under the 20-byte header.</summary>
    LengthTooSmall,

    /// <summary>Message Length is not a multiple of 4 (every AVP is padded, RFC 6733 §3).</summary>
    LengthNotMultipleOf4,

    /// <summary>Message Length exceeds the configured maximum.</summary>
    LengthTooLarge,
}
