using ImeiEir.Core;
using ImeiEir.Notify.Delivery;
using ImeiEir.Notify.Sharing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Notify;

/// <summary>Registers the notifier with a host: <see cref="Notifier"/> (a singleton, opened on first use) and <see cref="NotifierService"/>.</summary>
public static class NotifyServiceCollectionExtensions
{
    /// <summary>HttpClient name used for Kannel (configure it with <c>AddHttpClient(NotifyHttpClientName)</c>).</summary>
    public const string NotifyHttpClientName = "ImeiEir.Notify.Kannel";

    /// <summary>
    /// Adds the notifier over <paramref name="options"/> (validated when the <see cref="Notifier"/> is first resolved).
    /// Uses the container's <see cref="TimeProvider"/> when there is one, else the system clock, and the calendar of its
    /// <see cref="RegimeClock"/> when there is one, else the regime's default calendar.
    /// </summary>
    public static IServiceCollection AddImeiEirNotify(this IServiceCollection services, NotifyOptions options) =>
        services.AddImeiEirNotify(options, sharing: null);

    /// <summary>
    /// As the other AddImeiEirNotify; <paramref name="sharing"/> (when not null) gives the outbox's sharing with the
    /// other registry processes (JetStream mode), resolved when the notifier is.
    /// </summary>
    public static IServiceCollection AddImeiEirNotify(this IServiceCollection services, NotifyOptions options, Func<IServiceProvider, NoticeSharing>? sharing)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddHttpClient(NotifyHttpClientName);
        services.AddSingleton(sp => Notifier.OpenAsync(options, sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>(), sp.GetService<RegimeClock>()?.Calendar, sharing?.Invoke(sp)).GetAwaiter().GetResult());
        services.AddSingleton(sp => sp.GetRequiredService<Notifier>().CreateService(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(NotifyHttpClientName),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<NotifierService>>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<NotifierService>());
        return services;
    }
}
