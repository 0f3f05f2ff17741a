using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Observability;

namespace ImeiEir.Node.Diameter;

/// <summary>
/// Turns one ME-Identity-Check request into its answer: parse, check, write. Synchronous because the store is in
/// memory (docs/ARCHITECTURE.md, convention 6); owns one <see cref="EquipmentChecker"/> (one store session), so one
/// responder per connection (docs/ARCHITECTURE.md, convention 10).
/// </summary>
internal sealed class S13Responder : IDisposable
{
    private readonly EquipmentChecker _checker;
    private readonly LocalIdentity _identity;

    public S13Responder(EquipmentChecker checker, LocalIdentity identity)
    {
        _checker = checker;
        _identity = identity;
    }

    /// <summary>
    /// Writes the answer to <paramref name="request"/> (a whole ECR frame) and returns its length;
    /// <paramref name="status"/> is what was answered, for the connection's counters.
    /// </summary>
    public int Answer(ReadOnlySpan<byte> request, Span<byte> destination, out AnswerKind status)
    {
        if (!S13Messages.TryParseEcr(request, out EcrView ecr, out ProtocolError error))
        {
            status = AnswerKind.Error;
            return S13Messages.WriteError(destination, request, _identity, error);
        }

        // docs/ARCHITECTURE.md, rule 1: not an IMEI at all is a protocol error (5004 with the IMEI in Failed-AVP), not a list answer.
        ImeiParseResult parse = Imei.TryParse(ecr.Imei, out Imei imei);
        if (parse == ImeiParseResult.Malformed)
        {
            status = AnswerKind.Error;
            return S13Messages.WriteError(destination, request, _identity, ProtocolError.ForInvalidImei(ecr));
        }

        if (!_checker.TryCheck(imei, parse, ecr.UserName, out Decision decision))
        {
            // The store is being rebuilt under an open connection (a new connection is not even accepted then,
            // DiameterConnectionHandler): RFC 6733 §7.1.3, 3004 TOO_BUSY with the E bit, "attempt to send the message
            // to an alternate peer". Never a list answer from a half-loaded store.
            status = AnswerKind.Error;
            return BaseMessages.WriteProtocolErrorAnswer(destination, request, _identity, ResultCodes.TooBusy);
        }
        if (decision.IsEquipmentUnknown)
        {
            status = AnswerKind.EquipmentUnknown;
            return S13Messages.WriteEcaExperimental(destination, request, ecr, _identity, ResultCodes.EquipmentUnknown);
        }

        status = AnswerKinds.Of(decision.Status);
        return S13Messages.WriteEca(destination, request, ecr, _identity, (uint)decision.Status);
    }

    /// <summary>
    /// Prefetches the store bucket of the IMEI in <paramref name="request"/> (a whole frame, perhaps not an ECR), to be
    /// answered a few frames later: a hint only, so a frame that is not a well-formed ECR is simply skipped here and
    /// answered in full by <see cref="Answer"/>.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> request)
    {
        ReadOnlySpan<byte> digits = S13Messages.FindImei(request);
        if (!digits.IsEmpty && Imei.TryParse(digits, out Imei imei) != ImeiParseResult.Malformed)
            _checker.Prefetch(imei);
    }

    /// <summary>Holds the store's epoch for one synchronous read batch.</summary>
    public void EnterBatch() => _checker.EnterBatch();

    /// <summary>Ends what <see cref="EnterBatch"/> began; before any <c>await</c>.</summary>
    public void ExitBatch() => _checker.ExitBatch();

    public void Dispose() => _checker.Dispose();
}
