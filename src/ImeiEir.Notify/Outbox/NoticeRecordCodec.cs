using System.Buffers.Binary;
using System.Text;
using ImeiEir.Core;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Storage;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The journal payload of a <see cref="NoticeRecord"/>, little-endian:
/// <code>
///    0 u8  format (1)        1 u8  kind           2 u8  state          3 u8  language (0 = unknown yet)
///    4 u64 IMEI key (14 digits)                  12 u32 deadline (Unix s)
///   16 i32 local day (DateOnly.DayNumber)        20 i32 attempts
///   24 i64 created ms   32 i64 updated ms   40 i64 next attempt ms   48 i64 sent ms   56 i64 final ms
///   64 u8  last DLR type
///   65 strings, each u16 byte count + UTF-8: key, imsi, msisdn, text, last error, gateway answer
///      (u16 0xFFFF = null)
/// </code>
/// </summary>
internal static class NoticeRecordCodec
{
    private const byte Format = 1;
    private const int FixedSize = 65;
    private const ushort Null = 0xFFFF;
    private const int MaxNoteChars = 500;

    public static byte[] Encode(NoticeRecord r)
    {
        string?[] strings = [r.Key, r.Imsi, r.Msisdn, r.Text, Clip(r.LastError), Clip(r.GatewayAnswer)];
        int size = FixedSize;
        foreach (string? s in strings) size += 2 + (s is null ? 0 : Encoding.UTF8.GetByteCount(s));
        if (size > JournalFile.MaxPayload) throw new ArgumentException($"notice {r.Key} does not fit a journal record ({size} bytes)");

        byte[] buffer = new byte[size];
        Span<byte> b = buffer;
        b[0] = Format;
        b[1] = (byte)r.Kind;
        b[2] = (byte)r.State;
        b[3] = (byte)r.Language;
        BinaryPrimitives.WriteUInt64LittleEndian(b[4..], r.Imei.Key);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], r.DeadlineUnixSeconds);
        BinaryPrimitives.WriteInt32LittleEndian(b[16..], r.LocalDay.DayNumber);
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], r.Attempts);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], r.CreatedMs);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], r.UpdatedMs);
        BinaryPrimitives.WriteInt64LittleEndian(b[40..], r.NextAttemptMs);
        BinaryPrimitives.WriteInt64LittleEndian(b[48..], r.SentMs);
        BinaryPrimitives.WriteInt64LittleEndian(b[56..], r.FinalMs);
        b[64] = r.LastDlrType;
        int at = FixedSize;
        foreach (string? s in strings)
        {
            if (s is null)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b[at..], Null);
                at += 2;
                continue;
            }
            int count = Encoding.UTF8.GetBytes(s, b[(at + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(b[at..], (ushort)count);
            at += 2 + count;
        }
        return buffer;
    }

    /// <summary>Decodes a payload whose CRC matched; throws <see cref="InvalidDataException"/> on an impossible one (a bug, not a torn write).</summary>
    public static NoticeRecord Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < FixedSize || b[0] != Format)
            throw new InvalidDataException($"outbox journal record of {b.Length} bytes, format {(b.IsEmpty ? -1 : b[0])}: not format {Format}");
        int at = FixedSize;
        string? key = ReadString(b, ref at), imsi = ReadString(b, ref at), msisdn = ReadString(b, ref at),
            text = ReadString(b, ref at), error = ReadString(b, ref at), answer = ReadString(b, ref at);
        if (key is null || imsi is null) throw new InvalidDataException("outbox journal record without key or IMSI");
        return new NoticeRecord
        {
            Kind = (NoticeKind)b[1],
            State = (NoticeState)b[2],
            Language = (NoticeLanguage)b[3],
            Imei = Imei.FromKey(BinaryPrimitives.ReadUInt64LittleEndian(b[4..])),
            DeadlineUnixSeconds = BinaryPrimitives.ReadUInt32LittleEndian(b[12..]),
            LocalDay = DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(b[16..])),
            Attempts = BinaryPrimitives.ReadInt32LittleEndian(b[20..]),
            CreatedMs = BinaryPrimitives.ReadInt64LittleEndian(b[24..]),
            UpdatedMs = BinaryPrimitives.ReadInt64LittleEndian(b[32..]),
            NextAttemptMs = BinaryPrimitives.ReadInt64LittleEndian(b[40..]),
            SentMs = BinaryPrimitives.ReadInt64LittleEndian(b[48..]),
            FinalMs = BinaryPrimitives.ReadInt64LittleEndian(b[56..]),
            LastDlrType = b[64],
            Key = key,
            Imsi = imsi,
            Msisdn = msisdn,
            Text = text,
            LastError = error,
            GatewayAnswer = answer,
        };
    }

    private static string? ReadString(ReadOnlySpan<byte> b, ref int at)
    {
        if (at + 2 > b.Length) throw new InvalidDataException("outbox journal record ends inside a string");
        ushort count = BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
        at += 2;
        if (count == Null) return null;
        if (at + count > b.Length) throw new InvalidDataException("outbox journal record ends inside a string");
        string s = Encoding.UTF8.GetString(b.Slice(at, count));
        at += count;
        return s;
    }

    private static string? Clip(string? note) => note is null || note.Length <= MaxNoteChars ? note : note[..MaxNoteChars] + "…";
}
