using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Core.Tests;

public class ChangeCodecTests
{
    [FsCheck.NUnit.Property]
    public bool Encode_then_decode_is_identity(ulong sequence, ulong key, ulong related, long time, uint deadline, byte op, byte list, byte reason, byte origin)
    {
        var change = new Change
        {
            Sequence = sequence,
            ImeiKey = key % Imei.KeyLimit,
            RelatedImeiKey = related % Imei.KeyLimit,
            TimeUnixMilliseconds = time,
            DeadlineUnixSeconds = deadline,
            Op = (ChangeOp)(1 + op % 2),
            List = (ListKind)(list % 4),
            Reason = (Reason)(reason % 13),
            Origin = (ChangeOrigin)(1 + origin % 3),
        };
        Span<byte> bytes = stackalloc byte[ChangeCodec.Size];
        ChangeCodec.Write(change, bytes);
        return ChangeCodec.TryRead(bytes, out Change decoded) && decoded == change;
    }

    [FsCheck.NUnit.Property]
    public bool Random_bytes_never_throw_and_decode_only_to_valid_changes(byte[] bytes)
    {
        if (!ChangeCodec.TryRead(bytes, out Change change))
            return true;
        return change.ImeiKey < Imei.KeyLimit && Enum.IsDefined(change.Op) && Enum.IsDefined(change.List)
            && Enum.IsDefined(change.Reason) && Enum.IsDefined(change.Origin);
    }

    [TestCase(28, 3)]   // op 3 does not exist
    [TestCase(29, 4)]   // list 4 does not exist
    [TestCase(31, 0)]   // origin 0 does not exist
    public void A_byte_out_of_range_is_rejected(int offset, byte value)
    {
        var change = new Change { Sequence = 1, ImeiKey = 35209900176148, Op = ChangeOp.Set, List = ListKind.White, Reason = Reason.Verified, Origin = ChangeOrigin.Admin };
        byte[] bytes = new byte[ChangeCodec.Size];
        ChangeCodec.Write(change, bytes);
        Assert.That(ChangeCodec.TryRead(bytes, out _), Is.True);
        bytes[offset] = value;
        Assert.That(ChangeCodec.TryRead(bytes, out _), Is.False);
    }
}
