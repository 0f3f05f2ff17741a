using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync.Tests;

/// <summary>The feed and snapshot parsers on their own: buffer boundaries, damage, allocations (docs/ARCHITECTURE.md, convention 14).</summary>
public class ParserTests
{
    /// <summary>Records what the parser hands over, and refuses out-of-order sequences as the agent does.</summary>
    private struct Recorder : IFeedFrameHandler
    {
        public List<string> Events;
        public ulong Last;

        public bool OnChange(in Change change)
        {
            if (change.Sequence != Last + 1) return false;
            Last = change.Sequence;
            Events.Add($"C{change.Sequence}:{change.ImeiKey}:{change.Op}:{change.List}:{change.Reason}:{change.DeadlineUnixSeconds}:{change.TimeUnixMilliseconds}");
            return true;
        }

        public void OnHeartbeat(ulong headSequence, long registryTimeUnixMilliseconds) => Events.Add($"H{headSequence}:{registryTimeUnixMilliseconds}");
    }

    private struct Applier(ImeiStoreSession session) : IFeedFrameHandler
    {
        public ulong Last;

        public bool OnChange(in Change change)
        {
            if (change.Sequence != Last + 1) return false;
            ChangeApplier.Apply(session, change);
            Last = change.Sequence;
            return true;
        }

        public void OnHeartbeat(ulong headSequence, long registryTimeUnixMilliseconds) { }
    }

    private struct SnapshotRecorder : ISnapshotRecordHandler
    {
        public List<(ulong, ImeiRecord)> Records;

        public List<(ulong, int, PackedImsi)> Pairs;

        public void OnRecord(Imei imei, in ImeiRecord record) => Records.Add((imei.Key, record));

        public void OnPair(Imei imei, int slot, PackedImsi imsi) => (Pairs ??= []).Add((imei.Key, slot, imsi));
    }

    private static byte[] Feed(IReadOnlyList<Change> changes, int heartbeatEvery = 7)
    {
        var bytes = new List<byte>();
        var frame = new byte[FeedFormat.ChangeFrameSize];
        FeedFormat.WriteHeartbeat((ulong)changes.Count, 1_700_000_000_000, frame);
        bytes.AddRange(frame.AsSpan(0, FeedFormat.HeartbeatFrameSize).ToArray());
        for (int i = 0; i < changes.Count; i++)
        {
            FeedFormat.WriteChange(changes[i] with { Sequence = (ulong)i + 1 }, frame);
            bytes.AddRange(frame);
            if (i % heartbeatEvery == heartbeatEvery - 1)
            {
                FeedFormat.WriteHeartbeat((ulong)changes.Count, 1_700_000_000_000 + i, frame);
                bytes.AddRange(frame.AsSpan(0, FeedFormat.HeartbeatFrameSize).ToArray());
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Feeds <paramref name="bytes"/> to the parser as a pipe would: arriving in <paramref name="cuts"/> pieces, each read a multi-segment buffer of what is unconsumed.</summary>
    private static (List<string> Events, FeedParseStatus Status) ParseInPieces(byte[] bytes, IEnumerable<int> cuts, int segment)
    {
        var recorder = new Recorder { Events = new List<string>() };
        int start = 0;
        var ends = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length);
        foreach (int end in ends)
        {
            ReadOnlySequence<byte> buffer = Segments.Of(bytes.AsMemory(start, end - start), segment);
            FeedParseStatus status = FeedParser.Parse(buffer, ref recorder, out SequencePosition consumed, out _);
            start += (int)buffer.Slice(0, consumed).Length;
            if (status != FeedParseStatus.NeedMoreData) return (recorder.Events, status);
        }
        return (recorder.Events, start == bytes.Length ? FeedParseStatus.NeedMoreData : FeedParseStatus.UnknownKind);
    }

    [Test]
    public void Every_split_of_a_small_feed_into_two_reads_and_any_segment_size_parses_the_same()
    {
        byte[] bytes = Feed(Model.Changes(5, 3, seed: 1), heartbeatEvery: 2);
        var (expected, _) = ParseInPieces(bytes, [], bytes.Length);
        Assert.That(expected, Has.Count.EqualTo(1 + 5 + 2));
        for (int split = 0; split <= bytes.Length; split++)
            foreach (int segment in new[] { 1, 2, 17, 40, 41, 42, 1000 })
            {
                var (events, status) = ParseInPieces(bytes, [split], segment);
                Assert.That(status, Is.EqualTo(FeedParseStatus.NeedMoreData), $"split {split}, segment {segment}");
                Assert.That(events, Is.EqualTo(expected), $"split {split}, segment {segment}");
            }
    }

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Any_chunking_and_segmentation_of_a_feed_gives_the_same_frames(PositiveInt[] cuts, PositiveInt segment, byte count)
    {
        byte[] bytes = Feed(Model.Changes(count % 40, 20, seed: count));
        var (expected, _) = ParseInPieces(bytes, [], bytes.Length);
        var (events, status) = ParseInPieces(bytes, cuts.Select(c => c.Get % (bytes.Length + 1)), 1 + segment.Get % 100);
        return (status == FeedParseStatus.NeedMoreData && events.SequenceEqual(expected)).Label($"{status}, {events.Count} of {expected.Count} frames");
    }

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Random_bytes_give_need_more_data_or_an_error_never_an_exception(byte[] bytes, PositiveInt segment)
    {
        var recorder = new Recorder { Events = new List<string>() };
        FeedParseStatus status = FeedParser.Parse(Segments.Of(bytes, 1 + segment.Get % 50), ref recorder, out _, out int frames);
        return (frames == recorder.Events.Count || status == FeedParseStatus.Refused).Label(status.ToString());
    }

    [TestCase(0x00), TestCase((byte)'c'), TestCase((byte)'X'), TestCase(0xFF)]
    public void An_unknown_kind_stops_at_that_frame(byte kind)
    {
        byte[] bytes = Feed(Model.Changes(3, 3), heartbeatEvery: 100);
        int bad = FeedFormat.HeartbeatFrameSize + 2 * FeedFormat.ChangeFrameSize;
        bytes[bad] = kind;
        var recorder = new Recorder { Events = new List<string>() };
        ReadOnlySequence<byte> buffer = Segments.Of(bytes, 30);
        FeedParseStatus status = FeedParser.Parse(buffer, ref recorder, out SequencePosition consumed, out int frames);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(FeedParseStatus.UnknownKind));
            Assert.That(frames, Is.EqualTo(3));
            Assert.That(buffer.Slice(0, consumed).Length, Is.EqualTo(bad));
        });
    }

    [TestCase(28, (byte)0, TestName = "Op 0")]
    [TestCase(28, (byte)3, TestName = "Op 3")]
    [TestCase(29, (byte)4, TestName = "List 4")]
    [TestCase(30, (byte)13, TestName = "Reason 13")]
    [TestCase(31, (byte)0, TestName = "Origin 0")]
    [TestCase(15, (byte)0xFF, TestName = "IMEI key out of range")]
    public void A_change_that_does_not_decode_stops_at_that_frame(int offset, byte value)
    {
        byte[] bytes = Feed(Model.Changes(3, 3), heartbeatEvery: 100);
        int bad = FeedFormat.HeartbeatFrameSize + FeedFormat.ChangeFrameSize;
        bytes[bad + 1 + offset] = value;
        var recorder = new Recorder { Events = new List<string>() };
        FeedParseStatus status = FeedParser.Parse(new ReadOnlySequence<byte>(bytes), ref recorder, out SequencePosition consumed, out int frames);
        Assert.That(status, Is.EqualTo(FeedParseStatus.BadChange));
        Assert.That(frames, Is.EqualTo(2));
        Assert.That(recorder.Last, Is.EqualTo(1UL));
    }

    [Test]
    public void A_refused_change_is_not_consumed()
    {
        List<Change> changes = Model.Changes(4, 4);
        byte[] bytes = Feed(changes, heartbeatEvery: 100);
        var recorder = new Recorder { Events = new List<string>(), Last = 2 }; // expects 3 next, gets 1
        ReadOnlySequence<byte> buffer = new(bytes);
        FeedParseStatus status = FeedParser.Parse(buffer, ref recorder, out SequencePosition consumed, out int frames);
        Assert.That(status, Is.EqualTo(FeedParseStatus.Refused));
        Assert.That(frames, Is.EqualTo(1)); // the heartbeat
        Assert.That(buffer.Slice(0, consumed).Length, Is.EqualTo(FeedFormat.HeartbeatFrameSize));
    }

    [Test]
    public void Parsing_and_applying_allocates_nothing_after_warm_up()
    {
        const int count = 20_000;
        List<Change> changes = Model.Changes(count, 5_000, seed: 2);
        byte[] bytes = Feed(changes);
        ReadOnlySequence<byte> buffer = Segments.Of(bytes, 4096 + 3); // frames straddle most segment ends
        using var store = new ImeiStore(new StoreOptions { ExpectedRecords = 10_000 });
        using ImeiStoreSession session = store.NewSession();

        var warmUp = new Applier(session);
        FeedParser.Parse(buffer, ref warmUp, out _, out _);
        var applier = new Applier(session); // the same changes again: reads and sequence guard, every frame parsed
        long before = GC.GetAllocatedBytesForCurrentThread();
        FeedParseStatus status = FeedParser.Parse(buffer, ref applier, out _, out int frames);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(status, Is.EqualTo(FeedParseStatus.NeedMoreData));
        Assert.That(applier.Last, Is.EqualTo((ulong)count));
        Assert.That(frames, Is.GreaterThan(count));
        Assert.That(allocated, Is.Zero);
    }

    private static readonly RegistryGeneration TestGeneration = new(UInt128.Parse("0123456789abcdef0123456789abcdef", System.Globalization.NumberStyles.HexNumber));

    /// <summary>A snapshot; <paramref name="version1"/> writes the 20-byte header of registries from before generations.</summary>
    private static byte[] Snapshot(ulong sequence, IReadOnlyList<(ulong Key, ImeiRecord Record)> records, bool trailer = true, ulong? count = null, bool version1 = false)
    {
        int headerSize = version1 ? SnapshotFormat.HeaderSizeV1 : SnapshotFormat.HeaderSize;
        var bytes = new byte[headerSize + records.Count * SnapshotFormat.RecordSize + (trailer ? SnapshotFormat.TrailerSize : 0)];
        SnapshotFormat.WriteHeader(sequence, TestGeneration, bytes);
        if (version1)
        {
            // Version 1: the same first 20 bytes, version 1, no generation.
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 1);
            bytes.AsSpan(SnapshotFormat.HeaderSizeV1, SnapshotFormat.HeaderSize - SnapshotFormat.HeaderSizeV1).Clear();
        }
        for (int i = 0; i < records.Count; i++)
            SnapshotFormat.WriteRecord(Imei.FromKey(records[i].Key), records[i].Record, bytes.AsSpan(headerSize + i * SnapshotFormat.RecordSize));
        if (trailer) SnapshotFormat.WriteTrailer(count ?? (ulong)records.Count, bytes.AsSpan(bytes.Length - SnapshotFormat.TrailerSize));
        return bytes;
    }

    private static List<(ulong, ImeiRecord)> SnapshotRecords(int count) =>
        Model.Apply(Model.Changes(count * 2, count, seed: count).Select((c, i) => c with { Sequence = (ulong)i + 1 }))
            .Select(kv => (kv.Key, kv.Value)).ToList();

    private static (SnapshotParseStatus Status, SnapshotProgress Progress, List<(ulong, ImeiRecord)> Records) ParseSnapshot(byte[] bytes, IEnumerable<int> cuts, int segment)
    {
        var recorder = new SnapshotRecorder { Records = new() };
        SnapshotProgress progress = default;
        int start = 0;
        SnapshotParseStatus status = SnapshotParseStatus.NeedMoreData;
        foreach (int end in cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length))
        {
            ReadOnlySequence<byte> buffer = Segments.Of(bytes.AsMemory(start, end - start), segment);
            status = SnapshotParser.Parse(buffer, ref progress, ref recorder, out SequencePosition consumed);
            start += (int)buffer.Slice(0, consumed).Length;
            if (status != SnapshotParseStatus.NeedMoreData) break;
        }
        return (status, progress, recorder.Records);
    }

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Any_chunking_of_a_snapshot_gives_the_same_records(PositiveInt[] cuts, PositiveInt segment, byte count)
    {
        List<(ulong, ImeiRecord)> records = SnapshotRecords(count % 30);
        byte[] bytes = Snapshot(77, records);
        var (status, progress, parsed) = ParseSnapshot(bytes, cuts.Select(c => c.Get % (bytes.Length + 1)), 1 + segment.Get % 60);
        return (status == SnapshotParseStatus.Complete && progress.Sequence == 77 && progress.Generation == TestGeneration && parsed.SequenceEqual(records))
            .Label($"{status}, {parsed.Count} of {records.Count}");
    }

    /// <summary>A version-3 snapshot in which every third record is paired with one to three IMSIs, written after it.</summary>
    private static (byte[] Bytes, List<(ulong, ImeiRecord)> Records, List<(ulong, int, PackedImsi)> Pairs) PairedSnapshot(int count)
    {
        var records = SnapshotRecords(count).Select((r, i) => i % 3 == 0 ? (r.Item1, r.Item2 with { IsPaired = true }) : r).ToList();
        var pairs = new List<(ulong, int, PackedImsi)>();
        var entries = new List<byte[]>();
        for (int i = 0; i < records.Count; i++)
        {
            var entry = new byte[SnapshotFormat.RecordSize];
            SnapshotFormat.WriteRecord(Imei.FromKey(records[i].Item1), records[i].Item2, entry);
            entries.Add(entry);
            if (!records[i].Item2.IsPaired) continue;
            for (int slot = 0; slot <= i % 3 + i % 2; slot++)
            {
                var imsi = new PackedImsi(401_010_000_000_000UL + (ulong)(i * 10 + slot), 15);
                var pair = new byte[SnapshotFormat.RecordSize];
                SnapshotFormat.WritePair(Imei.FromKey(records[i].Item1), slot, imsi, pair);
                entries.Add(pair);
                pairs.Add((records[i].Item1, slot, imsi));
            }
        }
        var bytes = new byte[SnapshotFormat.HeaderSize + entries.Count * SnapshotFormat.RecordSize + SnapshotFormat.TrailerSize];
        SnapshotFormat.WriteHeader(77, TestGeneration, bytes);
        for (int i = 0; i < entries.Count; i++) entries[i].CopyTo(bytes, SnapshotFormat.HeaderSize + i * SnapshotFormat.RecordSize);
        SnapshotFormat.WriteTrailer((ulong)entries.Count, bytes.AsSpan(bytes.Length - SnapshotFormat.TrailerSize));
        return (bytes, records, pairs);
    }

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property Any_chunking_of_a_snapshot_with_pairs_gives_the_same_records_and_pairs(PositiveInt[] cuts, PositiveInt segment, byte count)
    {
        var (bytes, records, pairs) = PairedSnapshot(count % 30);
        var recorder = new SnapshotRecorder { Records = new(), Pairs = new() };
        SnapshotProgress progress = default;
        int start = 0;
        SnapshotParseStatus status = SnapshotParseStatus.NeedMoreData;
        foreach (int end in cuts.Select(c => c.Get % (bytes.Length + 1)).Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length))
        {
            ReadOnlySequence<byte> buffer = Segments.Of(bytes.AsMemory(start, end - start), 1 + segment.Get % 60);
            status = SnapshotParser.Parse(buffer, ref progress, ref recorder, out SequencePosition consumed);
            start += (int)buffer.Slice(0, consumed).Length;
            if (status != SnapshotParseStatus.NeedMoreData) break;
        }
        return (status == SnapshotParseStatus.Complete && recorder.Records.SequenceEqual(records) && recorder.Pairs.SequenceEqual(pairs))
            .Label($"{status}, {recorder.Records.Count} of {records.Count} records, {recorder.Pairs.Count} of {pairs.Count} pairs");
    }

    [Test]
    public void A_pair_entry_with_a_bad_IMSI_or_slot_is_a_bad_record()
    {
        var (bytes, _, pairs) = PairedSnapshot(3);
        Assert.That(pairs, Is.Not.Empty);
        int pairOffset = SnapshotFormat.HeaderSize + SnapshotFormat.RecordSize; // record 0 is paired: its first pair follows it
        byte[] badDigits = bytes.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(badDigits.AsSpan(pairOffset + 16), 16);
        byte[] badSlot = bytes.ToArray();
        badSlot[pairOffset + 20] = 8;
        foreach (byte[] bad in new[] { badDigits, badSlot })
        {
            var recorder = new SnapshotRecorder { Records = new() };
            SnapshotProgress progress = default;
            Assert.That(SnapshotParser.Parse(new ReadOnlySequence<byte>(bad), ref progress, ref recorder, out _), Is.EqualTo(SnapshotParseStatus.BadRecord));
        }
    }

    [Test]
    public void A_record_on_no_list_is_a_bad_record_unless_it_is_paired()
    {
        var entry = new byte[SnapshotFormat.RecordSize];
        SnapshotFormat.WriteRecord(Imei.FromKey(35209900176148), new ImeiRecord(ListKind.None, Reason.Admin, 0, 5), entry);
        Assert.That(SnapshotFormat.TryReadRecord(entry, out _, out _), Is.False);
        SnapshotFormat.WriteRecord(Imei.FromKey(35209900176148), new ImeiRecord(ListKind.None, Reason.Admin, 0, 5) { IsPaired = true }, entry);
        Assert.That(SnapshotFormat.TryReadRecord(entry, out _, out ImeiRecord record), Is.True);
        Assert.That(record.IsPaired, Is.True);
    }

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property A_version_1_snapshot_still_parses_in_any_chunking_without_a_generation(PositiveInt[] cuts, PositiveInt segment, byte count)
    {
        List<(ulong, ImeiRecord)> records = SnapshotRecords(count % 30);
        byte[] bytes = Snapshot(77, records, version1: true);
        var (status, progress, parsed) = ParseSnapshot(bytes, cuts.Select(c => c.Get % (bytes.Length + 1)), 1 + segment.Get % 60);
        return (status == SnapshotParseStatus.Complete && progress.Sequence == 77 && progress.Generation.IsNone && parsed.SequenceEqual(records))
            .Label($"{status}, {parsed.Count} of {records.Count}, generation {progress.Generation}");
    }

    [Test]
    public void A_snapshot_without_its_trailer_is_never_complete()
    {
        byte[] bytes = Snapshot(5, SnapshotRecords(10), trailer: false);
        for (int length = 0; length <= bytes.Length; length++)
        {
            var (status, _, _) = ParseSnapshot(bytes[..length], [], 7);
            Assert.That(status, Is.EqualTo(SnapshotParseStatus.NeedMoreData), $"length {length}");
        }
    }

    [Test]
    public void Snapshot_damage_is_named()
    {
        List<(ulong, ImeiRecord)> records = SnapshotRecords(5);
        byte[] badMagic = Snapshot(5, records);
        badMagic[0] = (byte)'X';
        byte[] badVersion = Snapshot(5, records);
        badVersion[8] = 4; // versions 1 to 3 exist
        byte[] badList = Snapshot(5, records);
        badList[SnapshotFormat.HeaderSize + SnapshotFormat.RecordSize + 20] = 0;
        byte[] wrongCount = Snapshot(5, records, count: 999);
        byte[] trailing = [.. Snapshot(5, records), 1];

        Assert.Multiple(() =>
        {
            Assert.That(ParseSnapshot(badMagic, [], 1000).Status, Is.EqualTo(SnapshotParseStatus.BadHeader));
            Assert.That(ParseSnapshot(badVersion, [], 1000).Status, Is.EqualTo(SnapshotParseStatus.BadHeader));
            Assert.That(ParseSnapshot(badList, [], 1000).Status, Is.EqualTo(SnapshotParseStatus.BadRecord));
            Assert.That(ParseSnapshot(badList, [], 1000).Records, Has.Count.EqualTo(1));
            Assert.That(ParseSnapshot(wrongCount, [], 1000).Status, Is.EqualTo(SnapshotParseStatus.CountMismatch));
            Assert.That(ParseSnapshot(trailing, [], 1000).Status, Is.EqualTo(SnapshotParseStatus.TrailingBytes));
            Assert.That(ParseSnapshot(Snapshot(0, []), [], 1000).Status, Is.EqualTo(SnapshotParseStatus.Complete));
        });
    }

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Random_bytes_never_throw_in_the_snapshot_parser(byte[] bytes, PositiveInt segment)
    {
        byte[] withHeader = [.. Snapshot(1, [], trailer: false), .. bytes];
        var (status, _, _) = ParseSnapshot(withHeader, [], 1 + segment.Get % 50);
        return true.Label(status.ToString());
    }
}

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/> from bytes, as a pipe hands them over.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(ReadOnlyMemory<byte> bytes, int size)
    {
        if (bytes.Length <= size) return new ReadOnlySequence<byte>(bytes);
        var first = new Segments(bytes[..size], 0);
        Segments last = first;
        for (int at = size; at < bytes.Length; at += size)
        {
            var next = new Segments(bytes.Slice(at, Math.Min(size, bytes.Length - at)), at);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
