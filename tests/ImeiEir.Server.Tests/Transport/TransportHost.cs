using ImeiEir.Server.Tests.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ImeiEir.Server.Tests.Transport;

/// <summary>An all-in-one server on 127.0.0.1 with one white and one black IMEI, on a chosen Diameter transport.</summary>
internal sealed class TransportHost : IDisposable
{
    public const uint Success = 2001;
    public const int White = 0, Black = 1;
    public static readonly string WhiteImei = Luhn.With("35000044000001"), BlackImei = Luhn.With("35000044000002");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "imeieir-transport-" + Guid.NewGuid().ToString("N"));

    public TransportHost()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "lists.csv"),
            $"op,imei,list,reason\nset,{WhiteImei},white,verified\nset,{BlackImei},black,stolen\n");
    }

    public Task<InProcessHost> StartAsync(string transport, params string[] extra) => InProcessHost.StartAsync(new FakeTimeProvider(Cluster.Day0),
    [
        "--Mode=all-in-one", $"--DataDir={Path.Combine(_root, "data")}", "--Diameter:Port=0", "--Http:Port=0", "--Registry:Port=0",
        "--Registry:LoadDemoLists=false", $"--Registry:InitialLists={Path.Combine(_root, "lists.csv")}", $"--Diameter:Transport={transport}", .. extra,
    ]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
