using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Store;

namespace ImeiEir.Node.Checking;

/// <summary>
/// The answer to "may this device attach?", shared by S13 and N5g-eir: look up, decide (docs/ARCHITECTURE.md,
/// rules 2–7), for an unknown IMEI keep the provisional grey record and report the sighting, and report each home
/// subscriber's (IMEI, IMSI) pair at most once a day (the registry's clone watch). Owns one store
/// session, so one checker per connection or pooled per request; allocation-free and lock-free (the sighting queue
/// included).
/// </summary>
internal sealed class EquipmentChecker : IDisposable
{
    private readonly ImeiStoreSession _session;
    private readonly DecisionPolicy _policy;
    private readonly RegimeClock _clock;
    private readonly SightingQueue _sightings;
    private readonly AttachFilter _attaches;
    private readonly TacTableSlot _tacs;

    public EquipmentChecker(ImeiStoreSession session, DecisionPolicy policy, RegimeClock clock, SightingQueue sightings, AttachFilter attaches,
        TacTableSlot? tacs = null)
    {
        _tacs = tacs ?? new TacTableSlot();
        _session = session;
        _policy = policy;
        _clock = clock;
        _sightings = sightings;
        _attaches = attaches;
    }

    /// <summary>
    /// Decides an attach. <paramref name="parse"/> must not be <see cref="ImeiParseResult.Malformed"/> (rule 1 is the
    /// caller's). False when the store is not complete (<see cref="ImeiStore.IsComplete"/>: the node has not yet
    /// applied a whole snapshot): then nothing is decided, stored or reported, and the caller refuses the request. An
    /// unknown IMEI in a half-loaded store may be a black one not loaded yet.
    /// </summary>
    public bool TryCheck(Imei imei, ImeiParseResult parse, ReadOnlySpan<byte> imsiUtf8, out Decision decision)
    {
        if (!_session.IsStoreComplete)
        {
            decision = default;
            return false;
        }
        decision = Check(imei, parse, imsiUtf8);
        return true;
    }

    private Decision Check(Imei imei, ImeiParseResult parse, ReadOnlySpan<byte> imsiUtf8)
    {
        bool found = _session.TryGet(imei, out ImeiRecord record);
        long now = _clock.NowUnixSeconds;
        Decision decision = _policy.Decide(found, record, imei, parse, imsiUtf8, now, _tacs.Current, found && IsPairedWith(imei, record, imsiUtf8));

        if (decision.CreatesProvisionalGrey)
        {
            // Remember the provisional deadline locally so every later attach to this node sees the same one until
            // the registry's first-sighting record arrives over the feed (docs/ARCHITECTURE.md, rule 7). A paired
            // IMEI on no list keeps its pairing (rule 2a).
            _session.Upsert(imei, decision.ProvisionalRecord with { IsPaired = found && record.IsPaired });
            Report(imei, imsiUtf8, now);
        }
        else if (decision.Rule == DecisionRule.Grey && record.Sequence == 0)
        {
            // Still our own provisional record: the registry has not confirmed the sighting (it may be down, or the
            // report was lost to a full queue or a restart). Report again; the registry keeps the first.
            Report(imei, imsiUtf8, now);
        }
        else if (decision.Rule == DecisionRule.Grey)
        {
            // A grey device in use: the registry learns who uses it (a new subscriber gets the grey-start notice,
            // every one the daily reminders), at most once a day per subscriber.
            ReportAttach(imei, imsiUtf8, SightingKind.GreyAttach, now);
        }
        else if (decision.Rule is DecisionRule.Black or DecisionRule.GreyExpired)
        {
            // Refused: the subscriber gets the blocked-attach notice, at most once a day.
            ReportAttach(imei, imsiUtf8, SightingKind.BlackAttach, now);
        }
        else
        {
            // Every other home attach (white, M2M, legacy, invalid IMEI; roamers are filtered out below) is a pair the
            // registry's clone watch counts, at most once a day per pair like the attaches above.
            ReportAttach(imei, imsiUtf8, SightingKind.HomeAttach, now);
        }
        return decision;
    }

    /// <summary>Rule 2a's question, asked of the pair table only for a paired record (an unpaired check pays one bit test).</summary>
    private bool IsPairedWith(Imei imei, in ImeiRecord record, ReadOnlySpan<byte> imsiUtf8) =>
        record.IsPaired && PackedImsi.TryPack(imsiUtf8, out PackedImsi imsi) && _session.IsPairedWith(imei, imsi);

    /// <summary>
    /// The same decision without side effects, for people checking a device (check before purchase): an unknown
    /// IMEI stays unknown and nothing is reported. No IMSI: the subscriber is not known. False, as <see cref="TryCheck"/>,
    /// when the store is not complete.
    /// </summary>
    public bool TryPeek(Imei imei, ImeiParseResult parse, out Decision decision, out bool found, out ImeiRecord record)
    {
        if (!_session.IsStoreComplete)
        {
            (decision, found, record) = (default, false, default);
            return false;
        }
        found = _session.TryGet(imei, out record);
        decision = _policy.Decide(found, record, imei, parse, ReadOnlySpan<byte>.Empty, _clock.NowUnixSeconds, _tacs.Current);
        return true;
    }

    /// <summary>Starts bringing the store bucket of <paramref name="imei"/> into cache for a check soon after.</summary>
    public void Prefetch(Imei imei) => _session.Prefetch(imei);

    /// <summary>Holds the store's epoch for one synchronous batch (see <see cref="ImeiStoreSession.EnterBatch"/>).</summary>
    public void EnterBatch() => _session.EnterBatch();

    /// <summary>Ends what <see cref="EnterBatch"/> began; before any <c>await</c>.</summary>
    public void ExitBatch() => _session.ExitBatch();

    public void Dispose() => _session.Dispose();

    private void ReportAttach(Imei imei, ReadOnlySpan<byte> imsiUtf8, SightingKind kind, long now)
    {
        // Only home subscribers can be told (a roamer's operator has no directory entry); no IMSI, nobody to tell.
        if (!_policy.IsHomeSubscriber(imsiUtf8) || !PackedImsi.TryPack(imsiUtf8, out PackedImsi imsi)) return;
        if (!_attaches.ShouldReport(imei.Key, imsi, kind, now)) return;
        _sightings.TryEnqueue(new Sighting(imei.Key, imsi, (uint)Math.Clamp(now, 0, uint.MaxValue), kind));
    }

    private void Report(Imei imei, ReadOnlySpan<byte> imsiUtf8, long now)
    {
        PackedImsi.TryPack(imsiUtf8, out PackedImsi imsi); // none when absent: the registry still learns the device
        _sightings.TryEnqueue(new Sighting(imei.Key, imsi, (uint)Math.Clamp(now, 0, uint.MaxValue), SightingKind.FirstSeen));
    }
}
