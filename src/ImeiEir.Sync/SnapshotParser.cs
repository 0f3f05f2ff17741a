using System.Buffers;
using ImeiEir.Core;

namespace ImeiEir.Sync;

/// <summary>Receives each record of a snapshot; a struct so the parser is specialised per handler.</summary>
internal interface ISnapshotRecordHandler
{
    void OnRecord(Imei imei, in ImeiRecord record);

    /// <summary>One rightful IMSI of the paired record just handled (a version-3 snapshot), at its slot.</summary>
    void OnPair(Imei imei, int slot, PackedImsi imsi);
}

/// <summary>Why <see cref="SnapshotParser.Parse{THandler}"/> stopped.</summary>
internal enum SnapshotParseStatus : byte
{
    /// <summary>Every complete record was handled; more bytes are needed.</summary>
    NeedMoreData,

    /// <summary>The trailer arrived and its count matches: the snapshot is whole.</summary>
    Complete,

    /// <summary>The first bytes are not a snapshot header of a known version (1 to 3).</summary>
    BadHeader,

    /// <summary>A record or pair that does not decode (key out of range, unknown list or reason, bad IMSI).</summary>
    BadRecord,

    /// <summary>The trailer's record count differs from the records received.</summary>
    CountMismatch,

    /// <summary>Bytes after the trailer.</summary>
    TrailingBytes,
}

/// <summary>How far a snapshot has been read; carried from one pipe read to the next.</summary>
internal struct SnapshotProgress
{
    public bool HeaderRead;
    public bool Complete;
    public ulong Sequence;
    public ulong Records;

    /// <summary>The registry generation the header names (<see cref="RegistryGeneration.None"/> in a version-1 snapshot).</summary>
    public RegistryGeneration Generation;
}

/// <summary>
/// Reads the snapshot format (<see cref="SnapshotFormat"/>) straight from the pipe's buffer:
/// <code>
///  +----------+-------+------------+------------+   +---------+---------+------+--+--+--+   +--------+-------+
///  | IMEISNAP | ver 3 | sequence S | generation |   | IMEI key| rec seq | dead |Ls|Rs|Fl|0 | FF x 8 | count |
///  +----------+-------+------------+------------+   +---------+---------+------+--+--+--+   +--------+-------+
///       8         4         8           16               8         8       4    1  1  2         8        8
///  header (36; version 1: 20, no generation)         record (24), repeated                  trailer (16)
/// </code>
/// A version-3 snapshot puts a paired record's rightful IMSIs after it as pair entries of the same size (first 8
/// bytes 2^62 | IMEI key, <see cref="SnapshotFormat.WritePair"/>), counted in the trailer with the records.
/// A record's first 8 bytes are an IMEI key (below 10^14), so all-ones there can only be the trailer. A stream that
/// ends before the trailer is a cut connection, and the caller starts the snapshot again.
/// </summary>
internal static class SnapshotParser
{
    public static SnapshotParseStatus Parse<THandler>(ReadOnlySequence<byte> buffer, ref SnapshotProgress progress, ref THandler handler, out SequencePosition consumed)
        where THandler : struct, ISnapshotRecordHandler
    {
        Span<byte> scratch = stackalloc byte[SnapshotFormat.RecordSize];
        var reader = new SequenceReader<byte>(buffer);
        if (progress.Complete)
        {
            consumed = buffer.Start;
            return buffer.IsEmpty ? SnapshotParseStatus.Complete : SnapshotParseStatus.TrailingBytes;
        }

        if (!progress.HeaderRead)
        {
            if (reader.Remaining < SnapshotFormat.HeaderPrefixSize)
            {
                consumed = buffer.Start;
                return SnapshotParseStatus.NeedMoreData;
            }
            Span<byte> headerScratch = stackalloc byte[SnapshotFormat.HeaderSize];
            if (!SnapshotFormat.TryReadHeaderSize(Peek(in reader, headerScratch[..SnapshotFormat.HeaderPrefixSize]), out int headerSize))
            {
                consumed = buffer.Start;
                return SnapshotParseStatus.BadHeader;
            }
            if (reader.Remaining < headerSize)
            {
                consumed = buffer.Start;
                return SnapshotParseStatus.NeedMoreData;
            }
            SnapshotFormat.TryReadHeader(Peek(in reader, headerScratch[..headerSize]), out progress.Sequence, out progress.Generation);
            reader.Advance(headerSize);
            progress.HeaderRead = true;
        }

        while (true)
        {
            // Fast path: the whole records in the current segment, read in place (a 64 KiB read holds ~2,700), with
            // one reader advance for all of them. The trailer and a record cut by a segment end go the slow way below.
            ReadOnlySpan<byte> unread = reader.UnreadSpan;
            int offset = 0;
            while (unread.Length - offset >= SnapshotFormat.RecordSize)
            {
                ReadOnlySpan<byte> record = unread.Slice(offset, SnapshotFormat.RecordSize);
                if (SnapshotFormat.IsTrailer(record)) break;
                if (!TryHandle(record, ref handler))
                {
                    reader.Advance(offset);
                    consumed = reader.Position;
                    return SnapshotParseStatus.BadRecord;
                }
                progress.Records++;
                offset += SnapshotFormat.RecordSize;
            }
            if (offset > 0) reader.Advance(offset);

            if (reader.Remaining < SnapshotFormat.TrailerSize) break;
            ReadOnlySpan<byte> first = Peek(in reader, scratch[..SnapshotFormat.TrailerSize]);
            if (SnapshotFormat.IsTrailer(first))
            {
                if (SnapshotFormat.ReadTrailerCount(first) != progress.Records)
                {
                    consumed = reader.Position;
                    return SnapshotParseStatus.CountMismatch;
                }
                reader.Advance(SnapshotFormat.TrailerSize);
                progress.Complete = true;
                consumed = reader.Position;
                return reader.End ? SnapshotParseStatus.Complete : SnapshotParseStatus.TrailingBytes;
            }
            if (reader.Remaining < SnapshotFormat.RecordSize) break;
            ReadOnlySpan<byte> straddling = Peek(in reader, scratch);
            if (!TryHandle(straddling, ref handler))
            {
                consumed = reader.Position;
                return SnapshotParseStatus.BadRecord;
            }
            progress.Records++;
            reader.Advance(SnapshotFormat.RecordSize);
        }
        consumed = reader.Position;
        return SnapshotParseStatus.NeedMoreData;
    }

    /// <summary>Decodes a record or a pair entry and hands it over; false when it does not decode.</summary>
    private static bool TryHandle<THandler>(ReadOnlySpan<byte> entry, ref THandler handler)
        where THandler : struct, ISnapshotRecordHandler
    {
        if (SnapshotFormat.IsPair(entry))
        {
            if (!SnapshotFormat.TryReadPair(entry, out Imei pairImei, out int slot, out PackedImsi imsi)) return false;
            handler.OnPair(pairImei, slot, imsi);
            return true;
        }
        if (!SnapshotFormat.TryReadRecord(entry, out Imei imei, out ImeiRecord value)) return false;
        handler.OnRecord(imei, value);
        return true;
    }

    /// <summary>The next <c>scratch.Length</c> bytes: in place when the current segment holds them, else copied to <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<byte> Peek(in SequenceReader<byte> reader, Span<byte> scratch)
    {
        ReadOnlySpan<byte> unread = reader.UnreadSpan;
        if (unread.Length >= scratch.Length) return unread[..scratch.Length];
        reader.TryCopyTo(scratch);
        return scratch;
    }
}
