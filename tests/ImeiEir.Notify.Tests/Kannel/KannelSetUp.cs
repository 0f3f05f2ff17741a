namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>One real Kannel for every test in this namespace, started once (about a second) and stopped at the end.</summary>
[SetUpFixture]
public sealed class KannelSetUp
{
    private static TempDirectory? s_directory;
    private static KannelGateway? s_gateway;

    internal static KannelGateway Gateway => s_gateway ?? throw new InvalidOperationException("Kannel did not start");

    [OneTimeSetUp]
    public void StartKannel()
    {
        s_directory = new TempDirectory();
        s_gateway = KannelGateway.Start(s_directory.Path);
    }

    [OneTimeTearDown]
    public void StopKannel()
    {
        s_gateway?.Dispose();
        s_directory?.Dispose();
    }
}
