using System.Net;
using System.Text.RegularExpressions;
using ImeiEir.Tools.EirCtl;

namespace ImeiEir.Load.Tests;

/// <summary>
/// The real server (<c>imeieir.dll</c>) as a child process on 127.0.0.1 and a port it picks (--Diameter:Port=0),
/// loaded with a synthetic keyspace written by the same code as <c>eirctl gen</c>. Ready when it prints
/// <c>ImeiEir ready: diameter=127.0.0.1:PORT</c> (the pattern of tests/ImeiEir.Integration.Tests/ServerProcess.cs).
/// </summary>
internal sealed partial class ServerFixture : IDisposable
{
    public const long Keys = 20_000;
    public const ulong Seed = 42;
    public static readonly ListMix Mix = new(70, 10, 10, 10);

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;
    private readonly string _root;

    private ServerFixture(ChildProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public IPEndPoint Endpoint { get; }

    public string Transcript => _process.Transcript;

    public static ServerFixture Start()
    {
        string root = Path.Combine(Path.GetTempPath(), $"imeieir-load-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        string lists = Path.Combine(root, "lists.csv");
        using (var writer = new StreamWriter(lists))
            new SyntheticKeyspace(Keys, Seed, Mix).WriteCsv(writer, DateTimeOffset.UtcNow);

        ChildProcess process = ChildProcess.StartDll("imeieir.dll",
            "--Diameter:Host=127.0.0.1", "--Diameter:Port=0", "--Http:Host=127.0.0.1", "--Http:Port=0", "--Sbi:Port=0",
            "--Registry:Host=127.0.0.1", "--Registry:Port=0", $"--DataDir={Path.Combine(root, "data")}",
            $"--Registry:InitialLists={lists}", $"--Store:ExpectedRecords={Keys}", "--Store:CheckpointInterval=00:00:00");
        if (!process.WaitForLine(l => ReadyLine().IsMatch(l), ReadyTimeout, out string line))
        {
            string transcript = process.Transcript;
            process.Dispose();
            Directory.Delete(root, recursive: true);
            Assert.Fail($"server not ready within {ReadyTimeout.TotalSeconds:0} s:\n{transcript}");
        }
        int port = int.Parse(ReadyLine().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return new ServerFixture(process, root, port);
    }

    public void Dispose()
    {
        _process.Stop(TimeSpan.FromSeconds(10));
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"^ImeiEir ready: diameter=127\.0\.0\.1:(\d+)\b")]
    private static partial Regex ReadyLine();
}
