namespace ImeiEir.Integration.Tests;

/// <summary>
/// What every test with a registry and EIR nodes as real processes needs: a scratch directory, a client, and the
/// processes it started, whose output is printed when the test fails and which are always stopped afterwards.
/// </summary>
public abstract class ClusterFixture
{
    private readonly List<ClusterProcess> _processes = [];

    /// <summary>Scratch directory of the running test.</summary>
    protected string Root { get; private set; } = "";

    private protected ClusterClient Client { get; private set; } = null!;

    /// <summary>Prefix of the scratch directory's name.</summary>
    protected abstract string Name { get; }

    [SetUp]
    public void CreateScratch()
    {
        Root = TestEnvironment.NewTempDirectory(Name);
        Client = new ClusterClient();
    }

    [TearDown]
    public void StopProcesses()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            foreach (ClusterProcess p in _processes)
                TestContext.Out.WriteLine($"--- {p.Name} (pid {p.ProcessId}) ---\n{p.Output}");
        foreach (ClusterProcess p in _processes) p.Dispose();
        _processes.Clear();
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
}
