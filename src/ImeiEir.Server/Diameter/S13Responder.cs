using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Store;

namespace ImeiEir.Server.Diameter;

/// <summary>
/// Turns one ME-Identity-Check request into its answer: parse, look up, decide, write. Synchronous because the
/// store is in memory (STYLE 6); owns one store session, so one responder per connection (STYLE 10).
/// </summary>
internal sealed class S13Responder : IDisposable
{
    private readonly ImeiStoreSession _session;
    private readonly DecisionPolicy _policy;
    private readonly LocalIdentity _identity;
    private readonly TimeProvider _time;

    public S13Responder(ImeiStoreSession session, DecisionPolicy policy, LocalIdentity identity, TimeProvider time)
    {
        _session = session;
        _policy = policy;
        _identity = identity;
        _time = time;
    }

    /// <summary>Writes the answer to <paramref name="request"/> (a whole ECR frame) and returns its length.</summary>
    public int Answer(ReadOnlySpan<byte> request, Span<byte> destination)
    {
        if (!S13Messages.TryParseEcr(request, out EcrView ecr, out ProtocolError error))
            return S13Messages.WriteError(destination, request, _identity, error);

        // DESIGN rule 1: not an IMEI at all is a protocol error (5004 with the IMEI in Failed-AVP), not a list answer.
        ImeiParseResult parse = Imei.TryParse(ecr.Imei, out Imei imei);
        if (parse == ImeiParseResult.Malformed)
            return S13Messages.WriteError(destination, request, _identity, ProtocolError.ForInvalidImei(ecr));

        bool found = _session.TryGet(imei, out ImeiRecord record);
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        Decision decision = _policy.Decide(found, record, imei, parse, ecr.UserName, now);

        if (decision.IsEquipmentUnknown)
            return S13Messages.WriteEcaExperimental(destination, request, ecr, _identity, ResultCodes.EquipmentUnknown);

        // Remember the provisional deadline locally so every later attach to this node sees the same one until the
        // registry's first-sighting record arrives over the feed (DESIGN rule 7).
        if (decision.CreatesProvisionalGrey)
            _session.Upsert(imei, decision.ProvisionalRecord);

        return S13Messages.WriteEca(destination, request, ecr, _identity, (uint)decision.Status);
    }

    /// <summary>Holds the store's epoch for one synchronous read batch (see <see cref="ImeiStoreSession.EnterBatch"/>).</summary>
    public void EnterBatch() => _session.EnterBatch();

    /// <summary>Ends what <see cref="EnterBatch"/> began; before any <c>await</c>.</summary>
    public void ExitBatch() => _session.ExitBatch();

    public void Dispose() => _session.Dispose();
}
