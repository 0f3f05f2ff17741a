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
    public bool A_pair_or_unpair_carries_its_IMSI_through_encode_and_decode(ulong sequence, ulong key, ulong value, byte digits, bool unpair, long time)
    {
        byte n = (byte)(ImsiText.MinDigits + digits % (ImsiText.MaxDigits - ImsiText.MinDigits + 1));
        ulong limit = 1;
        for (int i = 0; i < n; i++) limit *= 10;
        var change = new Change
        {
            Sequence = sequence,
            ImeiKey = key % Imei.KeyLimit,
            TimeUnixMilliseconds = time,
            Op = unpair ? ChangeOp.Unpair : ChangeOp.Pair,
            Imsi = new PackedImsi(value % limit, n),
            Origin = ChangeOrigin.Admin,
        };
        Span<byte> bytes = stackalloc byte[ChangeCodec.Size];
        ChangeCodec.Write(change, bytes);
        return ChangeCodec.TryRead(bytes, out Change decoded) && decoded == change && decoded.RelatedImeiKey == 0 && decoded.DeadlineUnixSeconds == 0;
    }

    [Test]
    public void An_IMSI_with_leading_zeros_survives_a_pair_change()
    {
        Assert.That(PackedImsi.TryPack("001010000000001", out PackedImsi imsi), Is.True);
        var change = new Change { Sequence = 9, ImeiKey = 49015420323751, Op = ChangeOp.Pair, Imsi = imsi, Origin = ChangeOrigin.Admin };
        var bytes = new byte[ChangeCodec.Size];
        ChangeCodec.Write(change, bytes);
        Assert.That(ChangeCodec.TryRead(bytes, out Change decoded), Is.True);
        Assert.That(decoded.Imsi.ToString(), Is.EqualTo("001010000000001"));
    }

    [TestCase(0, 0ul)]     // no IMSI
    [TestCase(4, 1234ul)]  // too few digits
    [TestCase(16, 1ul)]    // too many digits
    [TestCase(5, 100000ul)] // more than 5 digits hold
    public void A_pair_change_without_a_well_formed_IMSI_is_rejected(int digits, ulong value)
    {
        var bytes = new byte[ChangeCodec.Size];
        ChangeCodec.Write(new Change { Sequence = 1, ImeiKey = 1, Op = ChangeOp.Pair, Origin = ChangeOrigin.Admin }, bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), (uint)digits);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), value);
        Assert.That(ChangeCodec.TryRead(bytes, out _), Is.False);
    }

    [Test]
    public void A_pair_change_with_a_list_is_rejected()
    {
        PackedImsi.TryPack("401011234567890", out PackedImsi imsi);
        var bytes = new byte[ChangeCodec.Size];
        ChangeCodec.Write(new Change { Sequence = 1, ImeiKey = 1, Op = ChangeOp.Pair, Imsi = imsi, Origin = ChangeOrigin.Admin }, bytes);
        Assert.That(ChangeCodec.TryRead(bytes, out _), Is.True);
        bytes[29] = (byte)ListKind.White;
        Assert.That(ChangeCodec.TryRead(bytes, out _), Is.False);
    }

    [FsCheck.NUnit.Property]
    public bool Random_bytes_never_throw_and_decode_only_to_valid_changes(byte[] bytes)
    {
        if (!ChangeCodec.TryRead(bytes, out Change change))
            return true;
        return change.ImeiKey < Imei.KeyLimit && Enum.IsDefined(change.Op) && Enum.IsDefined(change.List)
            && Enum.IsDefined(change.Reason) && Enum.IsDefined(change.Origin);
    }

    [TestCase(28, 5)]   // op 5 does not exist
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
