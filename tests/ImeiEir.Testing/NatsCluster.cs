using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ImeiEir.Testing;

/// <summary>
/// A real NATS JetStream cluster of Debian's <c>nats-server</c> processes: every server listens on 127.0.0.1 only,
/// on client, route and monitoring ports free at run time, with its JetStream store under one temporary directory.
/// <see cref="StartAsync"/> returns once JetStream has a meta leader and every server reports itself healthy. A
/// server can be killed (SIGKILL), paused (SIGSTOP, a partition from the others' point of view), resumed and
/// restarted on the same ports and store. Disposing resumes and kills every server and deletes the directory.
/// </summary>
public sealed class NatsCluster : IDisposable
{
    /// <summary>Where Debian's package installs the server.</summary>
    public const string ServerPath = "/usr/sbin/nats-server";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();
    private readonly NatsServerPorts[] _ports;
    private readonly ChildProcess?[] _servers;
    private readonly bool[] _paused;
    private readonly StringBuilder _earlierTranscripts = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private NatsCluster(int size)
    {
        int[] ports = FreePorts(size * 3);
        _ports = [.. Enumerable.Range(0, size).Select(i => new NatsServerPorts(ports[3 * i], ports[3 * i + 1], ports[3 * i + 2]))];
        _servers = new ChildProcess?[size];
        _paused = new bool[size];
    }

    public int Size => _ports.Length;

    /// <summary>Every server's client URL, comma-separated (the form of <c>Registry:Nats:Url</c>).</summary>
    public string Urls => string.Join(',', Enumerable.Range(0, Size).Select(ClientUrl));

    /// <summary>The client URL of server <paramref name="index"/> (0-based).</summary>
    public string ClientUrl(int index) => $"nats://127.0.0.1:{_ports[index].Client}";

    /// <summary>The directory holding the servers' configuration files and JetStream stores.</summary>
    public string DirectoryPath => _directory.Path;

    /// <summary>
    /// Starts <paramref name="size"/> servers and waits for a JetStream meta leader. Fails the test (never skips it)
    /// when nats-server is not installed.
    /// </summary>
    public static async Task<NatsCluster> StartAsync(int size = 3)
    {
        if (!File.Exists(ServerPath))
            Assert.Fail($"{ServerPath} not found: these tests run a real NATS cluster. Install it: apt-get install -y nats-server");
        var cluster = new NatsCluster(size);
        try
        {
            for (int i = 0; i < size; i++) cluster.StartServer(i);
            await cluster.WaitUntilReadyAsync();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL for server <paramref name="index"/>: no goodbye to its peers, whatever it had not synced is lost to it.</summary>
    public void Kill(int index)
    {
        ChildProcess server = Running(index);
        _paused[index] = false;
        server.Signal(ChildProcess.SigKill);
        if (!server.WaitForExit(TimeSpan.FromSeconds(10))) Assert.Fail($"nats-server {index} did not die on SIGKILL");
        Retire(index);
    }

    /// <summary>SIGSTOP for server <paramref name="index"/>: its sockets stay open but it answers nothing.</summary>
    public void Pause(int index)
    {
        Running(index).Signal(SigStop);
        _paused[index] = true;
    }

    /// <summary>SIGCONT for a paused server.</summary>
    public void Resume(int index)
    {
        Running(index).Signal(SigCont);
        _paused[index] = false;
    }

    /// <summary>
    /// Starts server <paramref name="index"/> again (killing it first if it still runs) on the same ports and store,
    /// and waits until the cluster is ready again.
    /// </summary>
    public async Task RestartAsync(int index)
    {
        if (_servers[index] is not null) Kill(index);
        StartServer(index);
        await WaitUntilReadyAsync();
    }

    /// <summary>
    /// The index of the server leading stream <paramref name="stream"/> (its Raft group's leader, which takes every
    /// publish), as the running, unpaused servers' monitoring endpoint (<c>/jsz</c>) names it; -1 while none does.
    /// </summary>
    public async Task<int> StreamLeaderAsync(string stream)
    {
        for (int i = 0; i < Size; i++)
        {
            if (_servers[i] is null || _paused[i]) continue;
            try
            {
                using JsonDocument jsz = JsonDocument.Parse(await _http.GetStringAsync(
                    new Uri($"http://127.0.0.1:{_ports[i].Monitor}/jsz?accounts=true&streams=true")));
                if (!jsz.RootElement.TryGetProperty("account_details", out JsonElement accounts)) continue;
                foreach (JsonElement account in accounts.EnumerateArray())
                {
                    if (!account.TryGetProperty("stream_detail", out JsonElement streams) || streams.ValueKind != JsonValueKind.Array) continue;
                    foreach (JsonElement detail in streams.EnumerateArray())
                    {
                        if (detail.GetProperty("name").GetString() != stream) continue;
                        if (detail.TryGetProperty("cluster", out JsonElement cluster) && cluster.TryGetProperty("leader", out JsonElement leader)
                            && leader.GetString() is { Length: > 1 } name && name[0] == 'n'
                            && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < Size)
                            return index;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                // that server does not answer now: ask the next
            }
        }
        return -1;
    }

    /// <summary>Whether server <paramref name="index"/> runs (paused or not).</summary>
    public bool IsRunning(int index) => _servers[index] is { HasExited: false };

    /// <summary>Every server's output so far (including earlier runs of restarted ones), for failure messages.</summary>
    public string Transcripts()
    {
        var text = new StringBuilder(_earlierTranscripts.ToString());
        for (int i = 0; i < Size; i++)
        {
            if (_servers[i] is ChildProcess server)
                text.Append($"--- nats-server {i} (last 30 lines) ---\n").AppendJoin('\n', server.Transcript.Split('\n').TakeLast(30)).Append('\n');
        }
        return text.ToString();
    }

    public void Dispose()
    {
        for (int i = 0; i < Size; i++)
        {
            if (_servers[i] is not ChildProcess server) continue;
            if (_paused[i]) server.Signal(SigCont);   // a stopped process still dies on SIGKILL, but let nothing linger
            server.Dispose();
            _servers[i] = null;
        }
        _http.Dispose();
        _directory.Dispose();
    }

    private const int SigStop = 19;
    private const int SigCont = 18;

    private ChildProcess Running(int index) =>
        _servers[index] is { HasExited: false } server ? server : throw new InvalidOperationException($"nats-server {index} is not running");

    private void Retire(int index)
    {
        if (_servers[index] is not ChildProcess server) return;
        _earlierTranscripts.Append($"--- nats-server {index}, an earlier run (last 30 lines) ---\n")
            .AppendJoin('\n', server.Transcript.Split('\n').TakeLast(30)).Append('\n');
        server.Dispose();
        _servers[index] = null;
    }

    private void StartServer(int index)
    {
        string store = Path.Combine(_directory.Path, $"n{index}");
        Directory.CreateDirectory(store);
        string config = Path.Combine(_directory.Path, $"n{index}.conf");
        File.WriteAllText(config, Config(index, store));
        ChildProcess server = ChildProcess.Start(ServerPath, ["-c", config]);
        _servers[index] = server;
        if (!server.WaitForLine(l => l.Contains("Server is ready", StringComparison.Ordinal), StartTimeout, out _, stderr: true))
            Assert.Fail($"nats-server {index} did not start within {StartTimeout.TotalSeconds} s:\n$ {server.CommandLine}\n{server.Transcript}");
    }

    // Every server routes to every other (its own route in the list is ignored). no_advertise keeps the servers from
    // telling clients about URLs other than those the test gave them.
    private string Config(int index, string store)
    {
        string routes = string.Join(", ", _ports.Select(p => $"\"nats-route://127.0.0.1:{p.Route}\""));
        NatsServerPorts ports = _ports[index];
        return string.Create(CultureInfo.InvariantCulture, $$"""
            server_name: "n{{index}}"
            host: "127.0.0.1"
            port: {{ports.Client}}
            http: "127.0.0.1:{{ports.Monitor}}"
            jetstream {
              store_dir: "{{store}}"
              max_memory_store: 64MB
              max_file_store: 1GB
            }
            cluster {
              name: "imeieir-test"
              host: "127.0.0.1"
              port: {{ports.Route}}
              no_advertise: true
              routes: [{{routes}}]
            }
            """);
    }

    private async Task WaitUntilReadyAsync()
    {
        await Eventually.UntilAsync(IsReadyAsync, StartTimeout, "a JetStream meta leader with every running server current, and every running server healthy", Transcripts);
    }

    private async Task<bool> IsReadyAsync()
    {
        bool leader = false;
        for (int i = 0; i < Size; i++)
        {
            if (_servers[i] is null || _paused[i]) continue;
            try
            {
                using HttpResponseMessage health = await _http.GetAsync(new Uri($"http://127.0.0.1:{_ports[i].Monitor}/healthz"));
                if (!health.IsSuccessStatusCode) return false;
                using JsonDocument jsz = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_ports[i].Monitor}/jsz")));
                // The leader's view: every other running server is a current replica of the meta group, so a stream
                // can be placed on any of them at once.
                if (jsz.RootElement.TryGetProperty("meta_cluster", out JsonElement meta)
                    && meta.TryGetProperty("leader", out JsonElement name) && name.GetString() == $"n{i}")
                {
                    int current = meta.TryGetProperty("replicas", out JsonElement replicas)
                        ? replicas.EnumerateArray().Count(r => r.TryGetProperty("current", out JsonElement c) && c.GetBoolean())
                        : 0;
                    leader = current >= Enumerable.Range(0, Size).Count(j => j != i && _servers[j] is not null && !_paused[j]);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return false;
            }
        }
        return leader;
    }

    // Bound together, then released: distinct ports nothing listened on a moment ago.
    private static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? listener in listeners) listener?.Stop();
        }
    }

    private readonly record struct NatsServerPorts(int Client, int Route, int Monitor);
}
