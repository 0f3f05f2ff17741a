using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Server.Hosting;
using ImeiEir.Store;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Diameter;

/// <summary>What every Diameter connection shares: our identity, limits, the policy, the store, the clock.</summary>
internal sealed class DiameterServices
{
    private readonly Func<ImeiStore> _store;

    public DiameterServices(DiameterOptions options, LocalIdentity identity, DecisionPolicy policy, Func<ImeiStore> store, TimeProvider time, ILogger logger)
    {
        Options = options;
        Identity = identity;
        Policy = policy;
        _store = store;
        Time = time;
        Logger = logger;
    }

    public DiameterOptions Options { get; }

    public LocalIdentity Identity { get; }

    public DecisionPolicy Policy { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>A responder with its own store session, for one connection.</summary>
    public S13Responder CreateResponder() => new(_store().NewSession(), Policy, Identity, Time);
}
