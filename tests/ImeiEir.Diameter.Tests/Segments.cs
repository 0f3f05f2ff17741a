using System.Buffers;

namespace ImeiEir.Diameter.Tests;

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/>, as a socket pipe hands out.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, IEnumerable<int> cutPoints)
    {
        int[] cuts = cutPoints.Where(c => c > 0 && c < bytes.Length).Distinct().Order().ToArray();
        if (cuts.Length == 0)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes[..cuts[0]], 0);
        Segment last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : bytes.Length;
            last = last.Append(bytes[cuts[i]..end]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
