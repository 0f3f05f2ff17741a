namespace ImeiEir.Registry;

/// <summary>How a delta body is encoded: CSV with a header line, or NDJSON (one JSON object per line).</summary>
internal enum DeltaFormat : byte
{
    Csv,
    Ndjson,
}
