using System.Net;
using ImeiEir.Core;
using ImeiEir.Diameter;
using ImeiEir.Node.Configuration;
using ImeiEir.Node.Diameter;
using ImeiEir.Node.Observability;
using ImeiEir.Store;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Node.Tests;

/// <summary>An EIR node's Diameter side without the host: an in-memory store, a policy and a fake clock.</summary>
internal sealed class TestNode : IDisposable
{
    public const string White = "35209900176148";
    public const string Black = "35123456000000";
    public const string Grey = "35693803564380";
    public const string HomeImsi = "401011234567890";

    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A node whose store holds the three records; <paramref name="complete"/> false: as if still bootstrapping.</summary>
    public TestNode(DiameterOptions? options = null, PolicyOptions? policy = null, bool complete = true)
    {
        Options = options ?? new DiameterOptions();
        Store = new ImeiStore(new StoreOptions { Directory = null, ExpectedRecords = 1024 });
        if (complete) Store.MarkComplete();
        using (ImeiStoreSession session = Store.NewSession())
        {
            session.Upsert(Imei.Parse(White), new ImeiRecord(ListKind.White, Reason.Verified));
            session.Upsert(Imei.Parse(Black), new ImeiRecord(ListKind.Black, Reason.Stolen));
            session.Upsert(Imei.Parse(Grey), new ImeiRecord(ListKind.Grey, Reason.Unverified,
                (uint)Start.AddDays(10).ToUnixTimeSeconds()));
        }
        Services = new DiameterServices(Options, new LocalIdentity("eir.test", "test", IPAddress.Loopback),
            DecisionPolicy.Create(policy ?? new PolicyOptions()), () => Store, Time, new RegimeClock(Time), Sightings, Attaches, Metrics,
            Logs);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Every line the node's Diameter side logged.</summary>
    public CapturedLog Logs { get; } = new();

    public SightingQueue Sightings { get; } = new(1024);

    public AttachFilter Attaches { get; } = new(1024);

    public NodeMetrics Metrics { get; } = new();

    public DiameterOptions Options { get; }

    public ImeiStore Store { get; }

    public DiameterServices Services { get; }

    /// <summary>A connection from <paramref name="address"/> (none known when null); <paramref name="remote"/> is what logs name it.</summary>
    public PipePeer Connect(IPAddress? address = null, string id = "test-connection", string remote = "in-memory") =>
        new(Services, address, id, remote);

    public void Dispose() => Store.Dispose();
}
