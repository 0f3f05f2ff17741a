using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ImeiEir.Core.Tac;
using Microsoft.Extensions.Logging;

namespace ImeiEir.Sync;

/// <summary>
/// Keeps a node's TAC database current (docs/ARCHITECTURE.md, "The TAC database"): at start it puts the copy saved
/// beside the store (when it has a directory) in force, then asks the registry's <c>GET /v1/tac</c> at once and every
/// <see cref="SyncOptions.TacCheckInterval"/>, with the version it holds in <c>If-None-Match</c>. A new version is
/// parsed whole, saved, and only then swapped into the <see cref="TacTableSlot"/>; a failed fetch keeps the table in
/// force. Off the answer path: checks only ever read the slot. Asks the registry the node follows now
/// (<see cref="RegistryLink.Url"/>); one unreachable or failing (5xx) moves the node to the next.
/// </summary>
public sealed class TacFollower : IDisposable
{
    private readonly SyncOptions _options;
    private readonly RegistryLink _registry;
    private readonly TacDirectory? _local;
    private readonly TacTableSlot _slot;
    private readonly bool _requireKnownTac;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstCheck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _running;
    private bool _toldRequiredButNone;

    public TacFollower(SyncOptions options, RegistryLink registry, TacDirectory? local, TacTableSlot slot, bool requireKnownTac,
        HttpClient http, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _options = options;
        _registry = registry;
        _local = local;
        _slot = slot;
        _requireKnownTac = requireKnownTac;
        _http = http;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes once the first check with the registry has been answered or has failed.</summary>
    public Task FirstCheck => _firstCheck.Task;

    public Task StartAsync(CancellationToken stopping)
    {
        CancellationToken token = CancellationTokenSource.CreateLinkedTokenSource(stopping, _stop.Token).Token;
        _running = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_running is not null)
            await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stop.Dispose();

    private async Task RunAsync(CancellationToken ct)
    {
        LoadLocal();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await CheckOnceAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or OperationCanceledException)
            {
                SyncLog.TacFetchFailed(_logger, e.Message, _slot.Current is { } held ? $"version {held.Version}" : "no TAC database",
                    (long)_options.TacCheckInterval.TotalMilliseconds);
            }
            _firstCheck.TrySetResult();
            if (_requireKnownTac && _slot.Current is null && !_toldRequiredButNone)
            {
                _toldRequiredButNone = true;
                SyncLog.TacRequiredButNone(_logger);
            }
            try
            {
                await Task.Delay(_options.TacCheckInterval, _time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _firstCheck.TrySetResult();
    }

    private void LoadLocal()
    {
        try
        {
            if (_local?.Load() is { } table)
            {
                _slot.Publish(table);
                SyncLog.TacLoaded(_logger, table.Version, table.Count, "saved copy");
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            SyncLog.TacLocalUnreadable(_logger, e.Message);
        }
    }

    private async Task CheckOnceAsync(CancellationToken ct)
    {
        Uri registry = _registry.Url;
        using var request = new HttpRequestMessage(HttpMethod.Get, RegistryLink.Base(registry) + "/v1/tac");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _registry.ReaderToken);
        if (_slot.Current is { } held)
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{held.Version}\""));
        using HttpResponseMessage response = await SendAsync(request, registry, ct);
        if (response.StatusCode is HttpStatusCode.NotModified or HttpStatusCode.NotFound) return; // unchanged, or none imported yet
        if (response.StatusCode != HttpStatusCode.OK)
        {
            if ((int)response.StatusCode >= 500) _registry.Failed(registry, $"TAC database: GET /v1/tac answered {(int)response.StatusCode}");
            throw new HttpRequestException($"GET /v1/tac answered {(int)response.StatusCode}");
        }
        string? version = response.Headers.ETag?.Tag.Trim('"');
        if (!TacDirectory.TryParseVersion(version, out _))
            throw new InvalidDataException($"GET /v1/tac gave no valid version (ETag {response.Headers.ETag})");
        byte[] content = await response.Content.ReadAsByteArrayAsync(ct);
        TacParseResult parsed = TacFileParser.Parse(new StreamReader(new MemoryStream(content), Encoding.UTF8));
        if (!parsed.Succeeded)
            throw new InvalidDataException($"the registry's TAC document version {version} does not parse: {parsed.Errors[0]}");
        TacTable table = TacTable.Build(version!, parsed.Entries);
        _local?.Save(version!, content);
        _slot.Publish(table);
        SyncLog.TacLoaded(_logger, table.Version, table.Count, "registry");
    }

    /// <summary>Sends the request; an unreachable or silent registry moves the node to the next before the failure is rethrown.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri registry, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            _registry.Failed(registry, "TAC database: " + e.Message);
            throw;
        }
    }
}
