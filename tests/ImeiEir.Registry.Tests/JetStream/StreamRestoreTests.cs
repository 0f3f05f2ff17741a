using ImeiEir.Core;
using ImeiEir.Registry.JetStream;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests.JetStream;

/// <summary>
/// What the JetStream restore refuses before any stream is touched (the restore itself, onto a real NATS cluster, is
/// BackupRestoreTests.A_JetStream_registry_restores_onto_a_new_stream_… in the integration tests).
/// </summary>
public sealed class StreamRestoreTests
{
    [Test]
    public void A_backup_of_a_log_truncated_by_retention_is_refused_in_one_line_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        string backup = Path.Combine(dir.Path, "truncated.backup"), registry = Path.Combine(dir.Path, "registry");
        var header = new byte[BackupFormat.HeaderSize];
        BackupFormat.WriteHeader(sequence: 100, RegistryGeneration.NewRandom(), 0, 0, 0, firstChange: 51, baseRecords: 10, header);
        File.WriteAllBytes(backup, header);
        // Port 1 on 127.0.0.1 is closed: the refusal comes before any connection.
        var options = new RegistryOptions { Log = RegistryOptions.JetStreamLog, Nats = new NatsOptions { Url = "nats://127.0.0.1:1", Stream = "RESTORED" } };

        var refused = Assert.ThrowsAsync<RestoreRefusedException>(() => StreamRestore.RestoreAsync(backup, options, registry, NullLogger.Instance, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.StartWith("Registry:RestoreFrom: ").And.Contain("begins at change 51").And.Contain("Registry:Log=Local").And.Not.Contain('\n'));
            Assert.That(Directory.Exists(registry), Is.False);
        });
    }
}
