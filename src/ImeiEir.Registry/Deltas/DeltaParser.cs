using System.Buffers;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Reads a delta body, CSV or NDJSON, streaming: the body is read in 64 KiB chunks and judged line by line, so
/// memory grows with the number of lines (about 32 bytes per valid line, plus the same-IMEI check), never with
/// the body held as one string.
/// <code>
/// CSV     op,imei,list,reason,deadline,new_imei       header, required: the columns present, in any order;
///         set,490154203237518,white,verified,,        imei required; op optional (default set); the others
///         ,35693803564380,grey,unverified,2026-12-24, optional columns, empty when unused
///         remove,351234560000002,,,,
///         replace,352099001761481,,,,490154203237518   old IMEI black, new IMEI white (service-replacement)
///         # comment lines and empty lines are skipped (they keep their line numbers)
/// NDJSON  {"op":"set","imei":"490154203237518","list":"grey","reason":"unverified","deadline":"2026-12-24"}
///         one JSON object per line; the same names; absent or null = empty; empty lines skipped
/// </code>
/// Line numbers are 1-based physical lines, header included, as an editor shows them. CRLF or LF; UTF-8 with an
/// optional BOM. The same IMEI twice in a batch (a replace's old and new IMEIs count) rejects every line naming it.
/// </summary>
public static class DeltaParser
{
    /// <summary>Longest line accepted, in bytes. A delta line is under 100 bytes; longer is a mistake or not a delta.</summary>
    public const int MaxLineBytes = 4096;

    private const int ChunkBytes = 64 * 1024;

    /// <summary>Parses a CSV delta with no byte limit of its own (the caller limits the stream).</summary>
    public static Task<DeltaBatch> ParseCsvAsync(Stream body, int maxLines, CancellationToken ct) =>
        ParseAsync(body, DeltaFormat.Csv, maxLines, long.MaxValue, RegimeCalendar.Default, ct);

    /// <summary>Parses an NDJSON delta with no byte limit of its own (the caller limits the stream).</summary>
    public static Task<DeltaBatch> ParseNdjsonAsync(Stream body, int maxLines, CancellationToken ct) =>
        ParseAsync(body, DeltaFormat.Ndjson, maxLines, long.MaxValue, RegimeCalendar.Default, ct);

    /// <summary>Parses a CSV delta; more than <paramref name="maxBytes"/> bytes fails with <see cref="DeltaFailureKind.TooLarge"/>.</summary>
    public static Task<DeltaBatch> ParseCsvAsync(Stream body, int maxLines, long maxBytes, CancellationToken ct) =>
        ParseAsync(body, DeltaFormat.Csv, maxLines, maxBytes, RegimeCalendar.Default, ct);

    /// <summary>As <see cref="ParseCsvAsync(Stream, int, long, CancellationToken)"/>, with bare-date deadlines at midnight in <paramref name="calendar"/>.</summary>
    public static Task<DeltaBatch> ParseCsvAsync(Stream body, int maxLines, long maxBytes, RegimeCalendar calendar, CancellationToken ct) =>
        ParseAsync(body, DeltaFormat.Csv, maxLines, maxBytes, calendar, ct);

    /// <summary>Parses an NDJSON delta; more than <paramref name="maxBytes"/> bytes fails with <see cref="DeltaFailureKind.TooLarge"/>.</summary>
    public static Task<DeltaBatch> ParseNdjsonAsync(Stream body, int maxLines, long maxBytes, CancellationToken ct) =>
        ParseAsync(body, DeltaFormat.Ndjson, maxLines, maxBytes, RegimeCalendar.Default, ct);

    internal static async Task<DeltaBatch> ParseAsync(Stream body, DeltaFormat format, int maxLines, long maxBytes, RegimeCalendar calendar, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);

        var reader = new DeltaLineReader(format, maxLines, calendar);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long total = 0;
            while (true)
            {
                int read = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), ct).ConfigureAwait(false);
                if (read == 0) break;
                total += read;
                if (total > maxBytes)
                    return DeltaBatch.Failed(DeltaFailureKind.TooLarge, $"the body is larger than the limit of {maxBytes} bytes (Registry:MaxDeltaBytes); split the delta");
                if (!reader.Feed(buffer.AsSpan(0, read)))
                    return reader.ToBatch();
            }
            reader.Finish();
            return reader.ToBatch();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
