using ImeiEir.Core;
using ImeiEir.Notify;
using ImeiEir.Notify.Notices;
using ImeiEir.Notify.Rules;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Server.Hosting;

/// <summary>
/// Wires the registry's events to the notifier's <see cref="RegistryNoticeRules"/>, which decide which event makes
/// which notice: recorded sightings and expiries go to the rules, and the rules' daily reminders read the registry's
/// records. Starts after the registry and stops before it.
/// </summary>
internal sealed class RegistryNotices : IHostedService, IAsyncDisposable
{
    private readonly RegistryLifecycle _registry;
    private readonly RegistryNoticeRules _rules;

    public RegistryNotices(RegistryLifecycle registry, Notifier notifier, RegimeClock clock, ILogger<RegistryNotices> logger)
    {
        _registry = registry;
        // The registry's view is read only once the reminders run, after the registry has opened (it starts first).
        _rules = notifier.CreateRegistryRules((Imei imei, out ImeiRecord record) => registry.Service.TryGet(imei, out record), clock, logger);
    }

    /// <summary>New notices of <paramref name="kind"/> made by this process (for metrics).</summary>
    public long Made(NoticeKind kind) => _rules.Made(kind);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.Registry.SightingsRecorded += _rules.OnSightingsRecorded;
        _registry.Registry.Expired += _rules.OnExpired;
        _rules.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.Registry.SightingsRecorded -= _rules.OnSightingsRecorded;
        _registry.Registry.Expired -= _rules.OnExpired;
        await DisposeAsync();
    }

    public ValueTask DisposeAsync() => _rules.DisposeAsync();
}
