using System.Buffers;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Diameter.Tests;

/// <summary>docs/ARCHITECTURE.md, convention 14: the frame scanner against buffer boundaries and garbage.</summary>
public sealed class FrameScannerProperties
{
    private const int Max = 65536;

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Any_split_into_segments_scans_like_contiguous() => Prop.ForAll(
        (from message in Generators.ValidMessages
         from extra in Gen.Choose(0, 30)
         let bytes = message.Concat(Enumerable.Repeat((byte)0xAB, extra)).ToArray()
         from cuts in Gen.ListOf(Gen.Choose(1, bytes.Length - 1))
         select (bytes, message.Length, cuts.ToArray())).ToArbitrary(),
        t =>
        {
            (byte[] bytes, int messageLength, int[] cuts) = t;
            ReadOnlySequence<byte> sequence = Segments.Split(bytes, cuts);
            FrameStatus contiguous = FrameScanner.TryScan(bytes, Max, out DiameterHeader h1, out FrameError e1);
            FrameStatus segmented = FrameScanner.TryScan(sequence, Max, out DiameterHeader h2, out FrameError e2);
            return contiguous == FrameStatus.Complete && segmented == FrameStatus.Complete && e1 == e2
                && h1.MessageLength == messageLength && Same(h1, h2)
                && sequence.Slice(0, h2.MessageLength).ToArray().SequenceEqual(bytes[..messageLength]);
        });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Every_strict_prefix_of_a_valid_message_needs_more_data() => Prop.ForAll(
        (from message in Generators.ValidMessages
         from cut in Gen.Choose(0, message.Length - 1)
         from cuts in Gen.ListOf(Gen.Choose(1, Math.Max(1, cut - 1)))
         select (message[..cut], cuts.ToArray())).ToArbitrary(),
        t => FrameScanner.TryScan(Segments.Split(t.Item1, t.Item2), Max, out _, out FrameError error) == FrameStatus.NeedMoreData
             && error == FrameError.None);

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Random_bytes_are_classified_by_the_header_alone_and_never_throw() => Prop.ForAll(
        (from bytes in Gen.OneOf(
             ArbMap.Default.GeneratorFor<byte[]>(),
             Generators.Mutated(Generators.ValidMessages))
         from cuts in Gen.ListOf(Gen.Choose(1, 64))
         select (bytes, cuts.ToArray())).ToArbitrary(),
        t => Consistent(t.Item1, FrameScanner.TryScan(Segments.Split(t.Item1, t.Item2), Max, out DiameterHeader h, out FrameError e), h, e));

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Random_bytes_without_version_1_are_never_complete() => Prop.ForAll(
        ArbMap.Default.ArbFor<byte[]>().Filter(b => b.Length == 0 || b[0] != 1),
        bytes => FrameScanner.TryScan(new ReadOnlySequence<byte>(bytes), Max, out _, out _) is FrameStatus.NeedMoreData or FrameStatus.Invalid);

    // The oracle: only the 20-byte header decides; Complete iff the header is valid and the frame is all there.
    private static bool Consistent(byte[] bytes, FrameStatus status, in DiameterHeader header, FrameError error)
    {
        if (bytes.Length < 20)
        {
            return status == FrameStatus.NeedMoreData && error == FrameError.None;
        }

        int length = (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        FrameError expected = bytes[0] != 1 ? FrameError.BadVersion
            : length < 20 ? FrameError.LengthTooSmall
            : length % 4 != 0 ? FrameError.LengthNotMultipleOf4
            : length > Max ? FrameError.LengthTooLarge
            : FrameError.None;
        FrameStatus expectedStatus = expected != FrameError.None ? FrameStatus.Invalid
            : bytes.Length >= length ? FrameStatus.Complete
            : FrameStatus.NeedMoreData;
        return status == expectedStatus && error == expected && header.MessageLength == length;
    }

    private static bool Same(in DiameterHeader a, in DiameterHeader b) =>
        a.Version == b.Version && a.MessageLength == b.MessageLength && a.Flags == b.Flags && a.CommandCode == b.CommandCode
        && a.ApplicationId == b.ApplicationId && a.HopByHopId == b.HopByHopId && a.EndToEndId == b.EndToEndId;
}
