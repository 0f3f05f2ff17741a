using System.Collections.Concurrent;
using ImeiEir.Core;
using ImeiEir.Core.Tac;
using ImeiEir.Node.Storage;

namespace ImeiEir.Node.Checking;

/// <summary>
/// <see cref="EquipmentChecker"/>s for HTTP requests, which, unlike Diameter connections, own no session of their
/// own. A lock-free queue; it grows to the peak number of concurrent requests and keeps them (each is a FASTER
/// session: a few hundred bytes).
/// </summary>
internal sealed class CheckerPool : IDisposable
{
    private readonly ConcurrentQueue<EquipmentChecker> _idle = new();
    private readonly StoreLifecycle _store;
    private readonly DecisionPolicy _policy;
    private readonly RegimeClock _clock;
    private readonly SightingQueue _sightings;
    private readonly AttachFilter _attaches;
    private readonly TacTableSlot _tacs;

    public CheckerPool(StoreLifecycle store, DecisionPolicy policy, RegimeClock clock, SightingQueue sightings, AttachFilter attaches, TacTableSlot tacs)
    {
        _tacs = tacs;
        _store = store;
        _policy = policy;
        _clock = clock;
        _sightings = sightings;
        _attaches = attaches;
    }

    public DecisionPolicy Policy => _policy;

    public RegimeClock Clock => _clock;

    /// <summary>The node's TAC database (its <see cref="TacTableSlot.Current"/> is null when none is loaded).</summary>
    public TacTableSlot Tacs => _tacs;

    public EquipmentChecker Rent() =>
        _idle.TryDequeue(out EquipmentChecker? checker) ? checker : new EquipmentChecker(_store.Store.NewSession(), _policy, _clock, _sightings, _attaches, _tacs);

    public void Return(EquipmentChecker checker) => _idle.Enqueue(checker);

    public void Dispose()
    {
        while (_idle.TryDequeue(out EquipmentChecker? checker)) checker.Dispose();
    }
}
