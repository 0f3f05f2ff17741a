using ImeiEir.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Sync;

/// <summary>
/// Where a node finds the registry and the reader token it presents there. The host gives it (from <c>Registry:Url</c>
/// and <c>Registry:ReaderToken</c>, or this very process's registry in all-in-one mode); it is never bound under
/// <c>Sync</c> or <c>Sightings</c>.
/// </summary>
/// <remarks>
/// <c>Registry:Url</c> may name several registry processes (issue 23, item 5). The node follows one at a time,
/// <see cref="Url"/>: the feed, sightings and TAC polling all use it, because they share this one object. Whichever of
/// them sees it fail (<see cref="Failed"/>: no connection, a timeout, a 5xx) moves everyone to the next URL, in order,
/// wrapping around. The feed then resumes at its last applied sequence there; a registry of another generation is
/// caught by the generation check on its first answer, before any of its changes is applied.
/// </remarks>
public sealed class RegistryLink
{
    /// <summary>Switch lines closer together than this are folded into the next one (all registries down: a switch per back-off).</summary>
    private static readonly TimeSpan SwitchLogInterval = TimeSpan.FromSeconds(10);

    private readonly object _logGate = new();
    private int _current;
    private long _switches;
    private long _lastSwitchLogged = long.MinValue;
    private int _switchesNotLogged;
    private ILogger _logger = NullLogger.Instance;
    private TimeProvider _time = TimeProvider.System;

    /// <param name="url">Base URL of the central registry, e.g. <c>http://registry:8700/</c>; a path prefix is kept.</param>
    /// <param name="readerToken">The registry's reader token (a node's credential), sent as <c>Authorization: Bearer</c>; never logged.</param>
    public RegistryLink(Uri url, string readerToken)
        : this([url], readerToken)
    {
    }

    /// <param name="urls">Registry processes of one generation, in the order to try them; at least one.</param>
    /// <param name="readerToken">The registry's reader token, sent as <c>Authorization: Bearer</c>; never logged.</param>
    public RegistryLink(IReadOnlyList<Uri> urls, string readerToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0) throw new ArgumentException("at least one registry URL", nameof(urls));
        Urls = urls;
        ReaderToken = readerToken;
    }

    /// <summary>A link to the comma-separated <paramref name="urls"/> (<see cref="RegistryUrls"/>); throws <see cref="ArgumentException"/> naming a bad one.</summary>
    public static RegistryLink Parse(string urls, string readerToken) =>
        RegistryUrls.TryParse(urls, out IReadOnlyList<Uri> parsed, out string problem)
            ? new RegistryLink(parsed, readerToken)
            : throw new ArgumentException($"Registry:Url: {problem}", nameof(urls));

    /// <summary>Every registry URL, in the order they are tried.</summary>
    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>The registry followed now.</summary>
    public Uri Url => Urls[Volatile.Read(ref _current)];

    /// <summary>The registry's reader token (a node's credential); never logged.</summary>
    public string ReaderToken { get; }

    /// <summary>How many times the node moved to another registry.</summary>
    public long Switches => Interlocked.Read(ref _switches);

    /// <summary>Where switches are logged; the host sets it before the link's users start (default: nowhere).</summary>
    public void UseLogger(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    /// <summary>
    /// <paramref name="url"/> failed (<paramref name="reason"/>): when it is still the one followed and there is another,
    /// moves to the next and returns true. False when someone already moved on (two users seeing one failure move
    /// once), or when there is no other.
    /// </summary>
    public bool Failed(Uri url, string reason)
    {
        int count = Urls.Count;
        if (count == 1) return false;
        int current = Volatile.Read(ref _current);
        if (!Urls[current].Equals(url)) return false;
        int next = (current + 1) % count;
        if (Interlocked.CompareExchange(ref _current, next, current) != current) return false;
        Interlocked.Increment(ref _switches);
        LogSwitch(url, Urls[next], next, reason);
        return true;
    }

    private void LogSwitch(Uri from, Uri to, int index, string reason)
    {
        int folded;
        lock (_logGate)
        {
            long now = _time.GetTimestamp();
            if (_lastSwitchLogged != long.MinValue && _time.GetElapsedTime(_lastSwitchLogged, now) < SwitchLogInterval)
            {
                _switchesNotLogged++;
                return;
            }
            _lastSwitchLogged = now;
            folded = _switchesNotLogged;
            _switchesNotLogged = 0;
        }
        SyncLog.RegistrySwitched(_logger, from.ToString(), reason, to.ToString(), index + 1, Urls.Count, folded);
    }

    /// <summary>One <c>"{section}:RegistryUrl: ..."</c> or <c>"{section}:ReaderToken: ..."</c> line per problem, as the component using it names them.</summary>
    public IReadOnlyList<string> Validate(string section)
    {
        var problems = new List<string>();
        foreach (Uri url in Urls)
        {
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                problems.Add($"{section}:RegistryUrl: must be an absolute http or https URL, got '{url}'");
                break;
            }
        }
        if (string.IsNullOrWhiteSpace(ReaderToken))
            problems.Add($"{section}:ReaderToken: must not be empty");
        return problems;
    }

    /// <summary>The token stays out of logs and exception messages.</summary>
    public override string ToString() => $"RegistryLink {{ Url = {Url}, Urls = {string.Join(",", Urls)} }}";

    /// <summary>The base of a registry URL without its final slash, for appending <c>/v1/...</c>.</summary>
    internal static string Base(Uri url) => url.AbsoluteUri.TrimEnd('/');
}
