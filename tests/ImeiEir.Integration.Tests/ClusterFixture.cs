namespace ImeiEir.Integration.Tests;

/// <summary>Which change log the registry of a cluster test runs on (<c>Registry:Log</c>).</summary>
public enum RegistryLog
{
    /// <summary>One registry process on its own FasterLog, the default.</summary>
    Local,

    /// <summary>
    /// Two registry processes on one stream of a real three-server NATS cluster: the test's registry and a peer, with
    /// nodes following both (issue 23, item 6: "the existing cluster tests also run once with two JetStream registries").
    /// </summary>
    JetStream,
}

/// <summary>
/// What every test with a registry and EIR nodes as real processes needs: a scratch directory, a client, and the
/// processes it started, whose output is printed when the test fails and which are always stopped afterwards.
/// </summary>
/// <remarks>
/// A fixture constructed with <see cref="RegistryLog.JetStream"/> runs its tests on a three-server NATS cluster (one
/// per fixture, a new stream per test): <see cref="StartRegistry"/> then starts the registry the test asked for and a
/// peer process on the same stream, and <see cref="StartNode(string, string, ClusterProcess, bool, string[])"/> gives
/// a node both URLs, the first node (and every second) the peer's first, so changes pushed to the test's registry
/// reach those nodes only through the other process's tail of the stream.
/// Not every cluster test can run so: the TAC database and the clone watch's observed pairs are kept by each
/// registry process, not in the change log (docs/ARCHITECTURE.md, "The TAC database", "Cloned IMEIs"); a restore
/// onto a stream needs two streams and no peer (BackupRestoreTests.JetStream.cs starts its own); and the crash,
/// incomplete-store and credentials tests are about one process's own files. Those fixtures run Local only.
/// </remarks>
public abstract class ClusterFixture
{
    private readonly List<ClusterProcess> _processes = [];
    private readonly Dictionary<ClusterProcess, Peer> _peers = [];
    private NatsCluster? _nats;
    private string _stream = "";
    private int _nodes;

    protected ClusterFixture(RegistryLog log = RegistryLog.Local) => Log = log;

    /// <summary>The fixture's NATS cluster (JetStream only).</summary>
    private protected NatsCluster Nats => _nats ?? throw new InvalidOperationException($"{GetType().Name} runs on a Local registry: no NATS cluster");

    /// <summary>The running test's JetStream stream name (a new one per test).</summary>
    private protected string Stream => _stream;

    /// <summary>The change log this fixture's registries run on.</summary>
    protected RegistryLog Log { get; }

    /// <summary>Scratch directory of the running test.</summary>
    protected string Root { get; private set; } = "";

    private protected ClusterClient Client { get; private set; } = null!;

    /// <summary>Prefix of the scratch directory's name.</summary>
    protected abstract string Name { get; }

    [OneTimeSetUp]
    public async Task StartFixtureNats()
    {
        if (Log == RegistryLog.JetStream) _nats = await NatsCluster.StartAsync(3);
    }

    [OneTimeTearDown]
    public void StopFixtureNats() => _nats?.Dispose();

    [SetUp]
    public void CreateScratch()
    {
        Root = TestEnvironment.NewTempDirectory(Name);
        Client = new ClusterClient();
        _stream = "IT" + Guid.NewGuid().ToString("N")[..12];
        _nodes = 0;
    }

    [TearDown]
    public void StopProcesses()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            foreach (ClusterProcess p in _processes)
                TestContext.Out.WriteLine($"--- {p.Name} (pid {p.ProcessId}) ---\n{p.Output}");
            if (_nats is not null) TestContext.Out.WriteLine(_nats.Transcripts());
        }
        foreach (ClusterProcess p in _processes) p.Dispose();
        _processes.Clear();
        _peers.Clear();
        Client.Dispose();
        TestEnvironment.DeleteQuietly(Root);
    }

    /// <summary>Registers a started process so the teardown stops it.</summary>
    private protected ClusterProcess Track(ClusterProcess p)
    {
        _processes.Add(p);
        return p;
    }

    /// <summary>Stops tracking a process and disposes it now (a test that restarts it on the same directory).</summary>
    private protected void Release(ClusterProcess p)
    {
        _processes.Remove(p);
        p.Dispose();
    }

    /// <summary>
    /// Starts the test's registry over <paramref name="dataDir"/> (Local), or it and its peer on this test's stream
    /// (JetStream; the peer over <c>dataDir-peer</c>, on the port it had before when this restarts a registry).
    /// <paramref name="port"/> 0 picks a free port.
    /// </summary>
    private protected ClusterProcess StartRegistry(string name, string dataDir, int port = 0, params string[] extraArgs)
    {
        if (_nats is null)
            return Track(ClusterProcess.StartRegistry(name, dataDir, ClusterClient.AdminToken, ClusterClient.ReaderToken, port, extraArgs));
        ClusterProcess registry = Track(ClusterProcess.StartJetStreamRegistry(name, dataDir, _nats.Urls, _stream, port, extraArgs));
        Peer? earlier = _peers.Values.FirstOrDefault(p => p.DataDir == dataDir + "-peer");
        ClusterProcess peer = earlier?.Process is { } running
            ? running
            : Track(ClusterProcess.StartJetStreamRegistry(name + "-peer", dataDir + "-peer", _nats.Urls, _stream, earlier?.Port ?? 0, extraArgs));
        foreach (ClusterProcess stale in _peers.Where(p => p.Value.DataDir == dataDir + "-peer").Select(p => p.Key).ToList()) _peers.Remove(stale);
        _peers[registry] = new Peer(peer, dataDir + "-peer", peer.RegistryPort);
        return registry;
    }

    /// <summary>
    /// Stops <paramref name="registry"/> with SIGTERM and returns its exit code; with JetStream its peer too (the whole
    /// registry goes away, as one Local process does), which <see cref="StartRegistry"/> on the same directory restarts.
    /// </summary>
    private protected int StopRegistry(ClusterProcess registry)
    {
        if (_peers.TryGetValue(registry, out Peer? peer))
        {
            if (peer.Process is { } process)
            {
                Assert.That(process.Stop(), Is.Zero, $"{process.Name}'s exit code after SIGTERM");
                Release(process);
            }
            _peers[registry] = peer with { Process = null };
        }
        return registry.Stop();
    }

    /// <summary>
    /// Starts an EIR node following <paramref name="registry"/>; with JetStream following it and its peer, the first
    /// node (and every second after it) the peer first, so what a test pushes to its registry reaches that node only
    /// through the stream and the peer's tail of it.
    /// </summary>
    private protected ClusterProcess StartNode(string name, string dataDir, ClusterProcess registry, bool waitForReady, params string[] extraArgs)
    {
        IReadOnlyList<Uri> urls = [registry.RegistryUrl];
        if (_peers.TryGetValue(registry, out Peer? peer))
        {
            Uri other = new($"http://127.0.0.1:{peer.Port}");
            urls = _nodes++ % 2 == 0 ? [other, registry.RegistryUrl] : [registry.RegistryUrl, other];
        }
        return Track(ClusterProcess.StartEir(name, dataDir, urls, ClusterClient.ReaderToken, waitForReady, extraArgs));
    }

    /// <summary>The peer of a JetStream registry: its process (null once stopped), directory and port (kept for a restart).</summary>
    private sealed record Peer(ClusterProcess? Process, string DataDir, int Port);
}
