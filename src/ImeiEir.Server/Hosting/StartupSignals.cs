using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// SIGTERM, SIGINT and SIGQUIT from the first line of the program on. The host handles them itself only once it
/// starts running; before that (while it is built, which already opens the notifier's journals) the runtime's
/// default would end the process at once, exit 143 and not a word. Caught here, a signal is held until the host
/// exists and then stops it like any other stop: Program.cs says "stopped before it was ready".
/// </summary>
internal sealed class StartupSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private IHostApplicationLifetime? _lifetime;
    private int _received;

    public StartupSignals() =>
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
        ];

    /// <summary>Stops <paramref name="lifetime"/>'s host on a signal, at once if one came while it was built.</summary>
    public void Attach(IHostApplicationLifetime lifetime)
    {
        // Published before the flag is read, as the handler sets the flag before it reads this: whichever runs
        // second sees the other's write, so a signal in between still stops the host (twice is harmless).
        Volatile.Write(ref _lifetime, lifetime);
        if (Volatile.Read(ref _received) != 0)
            lifetime.StopApplication();
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Interlocked.Exchange(ref _received, 1);
        Volatile.Read(ref _lifetime)?.StopApplication();
    }
}
