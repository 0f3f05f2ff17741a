using ImeiEir.Core;
using ImeiEir.Node;
using ImeiEir.Registry;
using ImeiEir.Server;
using ImeiEir.Server.Composition;
using ImeiEir.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A stop asked for while the host is still being built waits for it, then stops it (StartupSignals).
using var signals = new StartupSignals();
// Read before the host is disposed: a failed start disposes it, and its services with it.
CancellationToken stopping = default;
try
{
    // A start cancelled by a stop, or on a full disk, is reported below in one line, not logged by the host too (StartFailureLog).
    (WebApplication app, ServerSettings settings, ListenEndpoints endpoints) = ImeiEirApp.Build(args, StartFailureLog.Register);
    stopping = app.Lifetime.ApplicationStopping;
    signals.Attach(app.Lifetime);

    // The ready line means "bound and, on a node, caught up with the registry": scripts and tests wait for it.
    NodeReadiness readiness = app.Services.GetRequiredService<NodeReadiness>();
    app.Lifetime.ApplicationStarted.Register(() =>
    {
        // Bound now, ready later: the ports are announced at once so /health/ready can be watched during catch-up.
        Console.Out.WriteLine($"{endpoints.EndpointsLine("ImeiEir listening:")} mode={settings.Mode.Name()}");
        readiness.CaughtUp.ContinueWith(t =>
        {
            if (settings.Mode.RunsNode())
                ServerLog.NodeReady(app.Logger, t.Result);
            Console.Out.WriteLine($"{endpoints.EndpointsLine("ImeiEir ready:")} mode={settings.Mode.Name()}");
        }, TaskContinuationOptions.OnlyOnRanToCompletion);
    });
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (Unwrap(e) is OperationCanceledException && stopping.IsCancellationRequested)
{
    // SIGTERM or Ctrl+C while starting (recovering a 50M-record store takes seconds): the start was cancelled on
    // purpose, and whatever had opened was disposed with the host. A stop, not a crash, and nothing else says so.
    Console.Error.WriteLine("imeieir: stopped before it was ready");
    return 0;
}
catch (Exception e) when (Unwrap(e) is ConfigurationException or PolicyConfigurationException)
{
    Console.Error.WriteLine($"imeieir: configuration error: {Unwrap(e).Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is TokensFileException tokens)
{
    Console.Error.WriteLine($"imeieir: {tokens.Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is ListenException listen)
{
    Console.Error.WriteLine($"imeieir: {listen.Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is RestoreRefusedException restore)
{
    Console.Error.WriteLine($"imeieir: {restore.Message}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is InitialListsException lists)
{
    Console.Error.WriteLine($"imeieir: {lists.Message}");
    foreach (var error in lists.Errors)
        Console.Error.WriteLine($"  {error}");
    return 2;
}
catch (Exception e) when (Unwrap(e) is IOException io && DiskFull.Is(io))
{
    // A start (or stop) on a full disk: one line naming the file, not a stack trace and exit 134.
    Console.Error.WriteLine($"imeieir: no space left on device (ENOSPC): {io.Message.Trim()}; free space on that disk (DataDir) and start again");
    return 2;
}

static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
