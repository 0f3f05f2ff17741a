using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Diameter;
using ImeiEir.Node.Checking;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Observability;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Node.Diameter;

/// <summary>What every Diameter connection shares: our identity, limits, the policy, the store, the clocks, the sighting queue, the metrics.</summary>
internal sealed class DiameterServices
{
    private readonly Func<ImeiStore> _store;

    public DiameterServices(DiameterOptions options, LocalIdentity identity, DecisionPolicy policy, Func<ImeiStore> store,
        TimeProvider time, RegimeClock regimeClock, SightingQueue sightings, AttachFilter attaches, NodeMetrics metrics, ILogger logger,
        TacTableSlot? tacs = null)
    {
        Tacs = tacs ?? new TacTableSlot();
        Options = options;
        Identity = identity;
        Policy = policy;
        _store = store;
        Time = time;
        RegimeClock = regimeClock;
        Sightings = sightings;
        Attaches = attaches;
        Metrics = metrics;
        Logger = logger;
        LogLimits = new LogRateLimiter(time);
        Admission = new PeerAdmission(options);
        AdmissionMetrics.Register(metrics, Admission);
    }

    public DiameterOptions Options { get; }

    public LocalIdentity Identity { get; }

    public DecisionPolicy Policy { get; }

    /// <summary>The clock of timers: watchdog, CER and DPA timeouts.</summary>
    public TimeProvider Time { get; }

    /// <summary>The clock of decisions: grace periods and sighting times.</summary>
    public RegimeClock RegimeClock { get; }

    public SightingQueue Sightings { get; }

    /// <summary>The node's TAC database, shared by every connection.</summary>
    public TacTableSlot Tacs { get; }

    /// <summary>Which attaches of grey and black devices were reported today (shared by every connection).</summary>
    public AttachFilter Attaches { get; }

    public NodeMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>Per-address limits on the lines peers' errors and connects can make us write (shared by every connection).</summary>
    public LogRateLimiter LogLimits { get; }
    /// <summary>Whether the store holds a whole state, so that peers may be served (<see cref="ImeiStore.IsComplete"/>).</summary>
    public bool StoreComplete => _store().IsComplete;
    /// <summary>The pending and established connection pools and the allow-list, shared by every connection.</summary>
    public PeerAdmission Admission { get; }

    /// <summary>A responder with its own store session, for one connection.</summary>
    public S13Responder CreateResponder() =>
        new(new EquipmentChecker(_store().NewSession(), Policy, RegimeClock, Sightings, Attaches, Tacs), Identity);
}
