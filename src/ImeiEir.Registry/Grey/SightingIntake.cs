using ImeiEir.Core;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Registry;

/// <summary>
/// Turns nodes' sightings into the registry's grey records (docs/ARCHITECTURE.md, rule 7): the first sighting of an
/// unknown IMEI to reach the registry sets its deadline, first seen + grace period, and publishes it (origin Sighting);
/// every later one, from any node, finds the record and changes nothing, so every node converges to that deadline.
/// Every sighting's (IMEI, IMSI) pair also goes to the <see cref="CloneWatch"/>; a <see cref="SightingKind.HomeAttach"/>
/// (a white or exempt device's pair) changes no list and is raised as an attach, for the status SMS.
/// </summary>
public sealed class SightingIntake
{
    private readonly RegistryService _registry;
    private readonly DecisionPolicy _policy;
    private readonly RegimeClock _clock;
    private readonly ILogger _logger;
    private readonly CloneWatch? _clones;

    /// <param name="registry">Where grey records are written.</param>
    /// <param name="policy">The grace period and the regime start.</param>
    /// <param name="clock">The registry's now (a node's time ahead of it counts as now).</param>
    /// <param name="logger">One line per batch.</param>
    /// <param name="clones">Where every sighting's (IMEI, IMSI) pair goes; null: pairs are not watched.</param>
    public SightingIntake(RegistryService registry, DecisionPolicy policy, RegimeClock clock, ILogger logger, CloneWatch? clones = null)
    {
        _clones = clones;
        _registry = registry;
        _policy = policy;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised after each batch is durable (the notifier follows sightings with it). Keep handlers short.</summary>
    public event Action<SightingReport>? Recorded;

    /// <summary>
    /// Records a batch from <paramref name="node"/>, earliest first; the task completes once any grey records it
    /// created are durable. A time ahead of the registry's clock counts as now (a node's fast clock must not
    /// lengthen a grace period).
    /// </summary>
    public async Task<SightingReport> RecordAsync(IReadOnlyList<Sighting> sightings, string node, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        Sighting[] ordered = sightings.OrderBy(s => s.SeenUnixSeconds).ToArray();
        var results = new RecordedSighting[ordered.Length];
        int created = 0, existing = 0, ignored = 0;
        long now = _clock.NowUnixSeconds;

        await _registry.WriteAsync(write =>
        {
            // A plan may run again (Registry:Log=JetStream re-plans after another registry process wrote first), so
            // it starts from nothing each time.
            created = existing = ignored = 0;
            for (int i = 0; i < ordered.Length; i++)
            {
                Sighting sighting = ordered[i];
                bool known = write.TryGet(sighting.Imei, out ImeiRecord record) && record.List != ListKind.None;
                long seen = Math.Min(sighting.SeenUnixSeconds, now);
                SightingOutcome outcome;
                if (sighting.Kind != SightingKind.FirstSeen)
                {
                    outcome = SightingOutcome.Attach;
                }
                else if (known)
                {
                    outcome = SightingOutcome.Existing;
                    existing++;
                }
                else if (seen < _policy.RegimeStartUnixSeconds)
                {
                    outcome = SightingOutcome.Ignored;
                    ignored++;
                }
                else
                {
                    write.Append(new Change
                    {
                        ImeiKey = sighting.ImeiKey, Op = ChangeOp.Set, List = ListKind.Grey, Reason = Reason.Unverified,
                        DeadlineUnixSeconds = DecisionPolicy.ProvisionalDeadline(seen, _policy.GraceSeconds),
                        Origin = ChangeOrigin.Sighting,
                    });
                    write.TryGet(sighting.Imei, out record);
                    outcome = SightingOutcome.Created;
                    created++;
                }
                results[i] = new RecordedSighting(sighting, outcome, known || outcome == SightingOutcome.Created ? record : default);
            }
        }, new Attribution(node, null), ct).ConfigureAwait(false);

        // Every sighting with an IMSI is a home attach's pair (nodes report no roamers): the clone watch counts them,
        // durably before the node hears back, so a failure here makes the node send the batch again.
        _clones?.Record(ordered, now);

        var report = new SightingReport(node, results, created, existing, ignored);
        RegistryLog.SightingsRecorded(_logger, node, results.Length, created, existing, ignored);
        Recorded?.Invoke(report);
        return report;
    }
}
