namespace ImeiEir.Integration.Tests;

/// <summary>Run-wide clean-up: the compiled S13 dictionary is shared by every Erlang run of this test run.</summary>
[SetUpFixture]
public sealed class PeerSetup
{
    [OneTimeTearDown]
    public void DeleteCompiledDictionary() => ErlangPeer.Cleanup();
}
