using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// The pair and unpair delta ops (docs/ARCHITECTURE.md, rule 2a): the parser's line rules, per-line outcomes, history
/// with actor and comment, and pairs carried by the feed, the snapshot and the digest.
/// </summary>
public class PairingTests
{
    private const string A = "401011111111111", B = "401012222222222", C = "401013333333333";

    private TempDirectory _dir = null!;
    private RegistryService _registry = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = new TempDirectory();
        _registry = await TestData.OpenAsync(_dir.Path);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private static PackedImsi Imsi(string digits)
    {
        PackedImsi.TryPack(digits, out PackedImsi imsi);
        return imsi;
    }

    [Test]
    public async Task Pair_and_unpair_lines_parse_with_their_IMSI()
    {
        DeltaBatch batch = await TestData.Csv($"op,imei,imsi\npair,{TestData.Text(1)},{A}\nPAIR,{TestData.Text(1)},{B}\nunpair,{TestData.Text(2)},{C}\n");
        Assert.That(batch.Errors, Is.Empty, () => string.Join("; ", batch.Errors));
        Assert.That(batch.Lines.Select(l => (l.Op, l.Imei, l.Imsi)), Is.EqualTo(new[]
        {
            (DeltaOp.Pair, TestData.Imei(1), Imsi(A)), (DeltaOp.Pair, TestData.Imei(1), Imsi(B)), (DeltaOp.Unpair, TestData.Imei(2), Imsi(C)),
        }));
    }

    [Test]
    public async Task Pair_and_unpair_lines_arrive_as_NDJSON_too()
    {
        DeltaBatch batch = await TestData.Ndjson($"{{\"op\":\"pair\",\"imei\":\"{TestData.Text(1)}\",\"imsi\":\"{A}\"}}\n");
        Assert.That(batch.Lines.Single().Imsi, Is.EqualTo(Imsi(A)));
    }

    [TestCase("pair,{0},", "imsi is empty")]
    [TestCase("pair,{0},40101", "")]
    [TestCase("pair,{0},4010", "is not an IMSI")]
    [TestCase("pair,{0},4010111111111111", "is not an IMSI")]
    [TestCase("pair,{0},40101x", "is not an IMSI")]
    [TestCase("set,{0},401011111111111", "imsi is only for op pair or unpair")]
    public async Task A_pairing_line_needs_one_well_formed_IMSI(string line, string problem)
    {
        DeltaBatch batch = await TestData.Csv("op,imei,imsi\n" + string.Format(line, TestData.Text(1)) + "\n");
        if (problem.Length == 0)
        {
            Assert.That(batch.Errors, Is.Empty);
            return;
        }
        Assert.That(batch.Errors.Single().Reason, Does.Contain(problem));
        Assert.That(batch.Errors.Single().Line, Is.EqualTo(2));
    }

    [Test]
    public async Task A_pairing_line_refuses_list_reason_and_deadline()
    {
        DeltaBatch batch = await TestData.Csv($"op,imei,list,reason,deadline,imsi\npair,{TestData.Text(1)},white,verified,2030-01-01,{A}\n");
        string reason = batch.Errors.Single().Reason;
        Assert.That(reason, Does.Contain("list 'white' is not allowed on a pair").And.Contain("reason is not allowed").And.Contain("deadline is not allowed"));
    }

    [Test]
    public async Task The_same_pairing_twice_in_a_batch_is_a_bad_line()
    {
        DeltaBatch batch = await TestData.Csv($"op,imei,imsi\npair,{TestData.Text(1)},{A}\nunpair,{TestData.Text(1)},{A}\n");
        Assert.That(batch.Errors.Single().Line, Is.EqualTo(3));
        Assert.That(batch.Errors.Single().Reason, Does.Contain("also on line 2"));
    }

    [Test]
    public async Task Pair_outcomes_are_applied_then_unchanged_and_unpair_of_an_absent_IMSI_is_unchanged()
    {
        DeltaReport first = await TestData.PushCsvAsync(_registry, $"op,imei,list,reason,imsi\nset,{TestData.Text(1)},white,verified,\npair,{TestData.Text(1)},,,{A}\n");
        Assert.That(first.Lines.Select(l => (l.Outcome, l.Sequence)), Is.EqualTo(new[] { (DeltaOutcome.Applied, 1UL), (DeltaOutcome.Applied, 2UL) }));

        DeltaReport again = await TestData.PushCsvAsync(_registry, $"op,imei,imsi\npair,{TestData.Text(1)},{A}\nunpair,{TestData.Text(1)},{B}\n");
        Assert.That(again.Lines.Select(l => l.Outcome), Is.EqualTo(new[] { DeltaOutcome.Unchanged, DeltaOutcome.Unchanged }));
        Assert.That(_registry.LastSequence, Is.EqualTo(2UL));

        Assert.That(_registry.TryGetAny(TestData.Imei(1), out ImeiRecord record), Is.True);
        Assert.That((record.List, record.IsPaired), Is.EqualTo((ListKind.White, true)));
        Assert.That(_registry.GetPairs(TestData.Imei(1)), Is.EqualTo(new[] { Imsi(A) }));

        DeltaReport unpaired = await TestData.PushCsvAsync(_registry, $"op,imei,imsi\nunpair,{TestData.Text(1)},{A}\n");
        Assert.That(unpaired.Lines.Single().Outcome, Is.EqualTo(DeltaOutcome.Applied));
        _registry.TryGetAny(TestData.Imei(1), out record);
        Assert.That((record.List, record.IsPaired), Is.EqualTo((ListKind.White, false)));
    }

    [Test]
    public async Task A_ninth_IMSI_is_a_bad_line_with_its_number_and_an_atomic_batch_appends_nothing()
    {
        string eight = string.Concat(Enumerable.Range(0, PairTable.MaxPairs).Select(i => $"pair,{TestData.Text(1)},40101000000000{i}\n"));
        DeltaReport full = await TestData.PushCsvAsync(_registry, "op,imei,imsi\n" + eight);
        Assert.That(full.Applied, Is.EqualTo(PairTable.MaxPairs));

        DeltaReport refused = await TestData.PushCsvAsync(_registry, $"op,imei,imsi\npair,{TestData.Text(2)},{A}\npair,{TestData.Text(1)},{A}\n");
        Assert.That(refused.Accepted, Is.False);
        Assert.That(refused.Lines.Select(l => (l.Line, l.Outcome)), Is.EqualTo(new[] { (3, DeltaOutcome.Rejected) }));
        Assert.That(refused.Lines.Single().Reason, Does.Contain($"already has {PairTable.MaxPairs} rightful IMSIs"));
        Assert.That(_registry.LastSequence, Is.EqualTo((ulong)PairTable.MaxPairs), "nothing appended");

        DeltaReport partial = await TestData.PushCsvAsync(_registry, $"op,imei,imsi\npair,{TestData.Text(2)},{A}\npair,{TestData.Text(1)},{A}\n", partial: true);
        Assert.That(partial.Lines.Select(l => (l.Line, l.Outcome)), Is.EqualTo(new[] { (2, DeltaOutcome.Applied), (3, DeltaOutcome.Rejected) }));
        Assert.That((partial.Applied, partial.Rejected), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task History_shows_pair_and_unpair_with_their_IMSI_actor_and_comment()
    {
        await _registry.ApplyAsync(await TestData.Csv($"op,imei,list,reason,imsi\nset,{TestData.Text(1)},white,verified,\n"), false, "admin", null, CancellationToken.None);
        await _registry.ApplyAsync(await TestData.Csv($"op,imei,imsi\npair,{TestData.Text(1)},{A}\n"), false, "police-1", "owner's SIM, case 7", CancellationToken.None);
        await _registry.ApplyAsync(await TestData.Csv($"op,imei,imsi\nunpair,{TestData.Text(1)},{A}\n"), false, "police-2", "SIM replaced", CancellationToken.None);

        var history = new List<Change>();
        await foreach (Change change in _registry.GetHistoryAsync(TestData.Imei(1), CancellationToken.None)) history.Add(change);
        Assert.That(history.Select(c => (c.Sequence, c.Op, c.Imsi.ToString())).OrderBy(c => c.Sequence), Is.EqualTo(new[]
        {
            (1UL, ChangeOp.Set, ""), (2UL, ChangeOp.Pair, A), (3UL, ChangeOp.Unpair, A),
        }));
        Assert.That(history.OrderBy(c => c.Sequence).Select(c => _registry.GetAttribution(c)), Is.EqualTo(new[]
        {
            ("admin", (string?)null), ("police-1", "owner's SIM, case 7"), ("police-2", "SIM replaced"),
        }));
    }

    [Test]
    public async Task The_feed_carries_pair_changes_with_their_IMSI()
    {
        await TestData.PushCsvAsync(_registry, $"op,imei,imsi\npair,{TestData.Text(1)},{A}\nunpair,{TestData.Text(2)},{B}\npair,{TestData.Text(2)},{C}\n");
        List<Change> changes = await TestData.ReadAllAsync(_registry);
        Assert.That(changes.Select(c => (c.ImeiKey, c.Op, c.Imsi)), Is.EqualTo(new[]
        {
            (TestData.Imei(1).Key, ChangeOp.Pair, Imsi(A)), (TestData.Imei(2).Key, ChangeOp.Pair, Imsi(C)),
        }), "the unpair of an IMSI the IMEI never had is unchanged: not in the log");
    }

    [Test]
    public async Task The_snapshot_carries_each_paired_record_with_its_IMSIs_after_it()
    {
        await TestData.PushCsvAsync(_registry,
            $"op,imei,list,reason,imsi\nset,{TestData.Text(1)},white,verified,\nset,{TestData.Text(2)},black,stolen,\npair,{TestData.Text(1)},,,{A}\npair,{TestData.Text(1)},,,{B}\npair,{TestData.Text(3)},,,{C}\n");
        var stream = new MemoryStream();
        await _registry.WriteSnapshotAsync(stream, CancellationToken.None);
        byte[] bytes = stream.ToArray();

        var entries = new List<string>();
        int offset = SnapshotFormat.HeaderSize;
        Assert.That(bytes.AsSpan(8, 4).ToArray(), Is.EqualTo(new byte[] { 3, 0, 0, 0 }), "version 3");
        while (!SnapshotFormat.IsTrailer(bytes.AsSpan(offset)))
        {
            ReadOnlySpan<byte> entry = bytes.AsSpan(offset, SnapshotFormat.RecordSize);
            if (SnapshotFormat.IsPair(entry))
            {
                Assert.That(SnapshotFormat.TryReadPair(entry, out Imei imei, out int slot, out PackedImsi imsi), Is.True);
                entries.Add($"pair {imei.Key - TestData.Imei(0).Key} {slot} {imsi}");
            }
            else
            {
                Assert.That(SnapshotFormat.TryReadRecord(entry, out Imei imei, out ImeiRecord record), Is.True);
                entries.Add($"record {imei.Key - TestData.Imei(0).Key} {record.List} {record.IsPaired}");
            }
            offset += SnapshotFormat.RecordSize;
        }
        Assert.That(SnapshotFormat.ReadTrailerCount(bytes.AsSpan(offset)), Is.EqualTo((ulong)entries.Count));

        // Log order is not key order: compare per IMEI, with each paired record's pairs right after it.
        string all = string.Join("|", entries);
        Assert.That(all, Does.Contain($"record 1 White True|pair 1 0 {A}|pair 1 1 {B}"));
        Assert.That(all, Does.Contain($"record 3 None True|pair 3 0 {C}"), "a paired IMEI on no list still travels");
        Assert.That(all, Does.Contain("record 2 Black False"));
        Assert.That(entries, Has.Count.EqualTo(6));
    }

    [Test]
    public async Task The_status_digest_differs_when_only_the_pairs_differ()
    {
        using var otherDir = new TempDirectory();
        await using RegistryService other = await TestData.OpenAsync(otherDir.Path);
        await TestData.PushCsvAsync(_registry, $"op,imei,list,reason,imsi\nset,{TestData.Text(1)},white,verified,\npair,{TestData.Text(1)},,,{A}\n");
        await TestData.PushCsvAsync(other, $"op,imei,list,reason,imsi\nset,{TestData.Text(1)},white,verified,\npair,{TestData.Text(1)},,,{B}\n");
        RegistryStatus mine = _registry.GetStatus(), theirs = other.GetStatus();
        Assert.That(mine.Sequence, Is.EqualTo(theirs.Sequence));
        Assert.That(mine.Digest.Records, Is.EqualTo(theirs.Digest.Records));
        Assert.That(mine.Digest, Is.Not.EqualTo(theirs.Digest));
    }
}
