namespace ImeiEir.Diameter;

/// <summary>Outcome of <see cref="FrameScanner.TryScan(in System.Buffers.ReadOnlySequence{byte}, int, out DiameterHeader, out FrameError)"/>.</summary>
public enum FrameStatus
{
    /// <summary>Fewer than 20 bytes, or a valid header whose body has not fully arrived.</summary>
    NeedMoreData,

    /// <summary>A whole frame of <see cref="DiameterHeader.MessageLength"/> bytes is at the start of the buffer.</summary>
    Complete,

    /// <summary>The header cannot delimit a frame; the stream must be closed (RFC 6733 §3, docs/ARCHITECTURE.md, convention 7).</summary>
    Invalid,
}
