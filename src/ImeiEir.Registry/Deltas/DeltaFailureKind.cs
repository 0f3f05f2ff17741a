namespace ImeiEir.Registry;

/// <summary>Why a whole delta body was refused before any line could be judged.</summary>
public enum DeltaFailureKind : byte
{
    /// <summary>No header or no data lines (HTTP 400).</summary>
    Empty = 1,

    /// <summary>Not UTF-8 text: invalid UTF-8 or control bytes, i.e. binary data (HTTP 400).</summary>
    NotText = 2,

    /// <summary>The CSV header names an unknown column, repeats one, or lacks imei (HTTP 400).</summary>
    BadHeader = 3,

    /// <summary>More data lines than allowed (HTTP 413).</summary>
    TooManyLines = 4,

    /// <summary>More bytes than allowed (HTTP 413).</summary>
    TooLarge = 5,
}
