using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// The registry admin API as eirctl uses it: the URL and token options every registry command shares, and one
/// place that turns HTTP failures (refused, 401, problem+json) into a one-line message and an exit code.
/// </summary>
/// <remarks>
/// <c>--registry</c> may name several registry processes, comma-separated (issue 23, item 5). A request goes to the
/// first that accepts a connection: one that refuses it (or cannot be resolved, or fails the TLS handshake) was sent
/// nothing, so the next is tried, in order. A request whose connection is lost after it was sent is not moved on,
/// except by <see cref="SendRetryingAsync"/> (a push with an idempotency key): its one retry goes to the next URL.
/// </remarks>
internal sealed class RegistryClient : IDisposable
{
    public const int Rejected = 2;
    public const int Unreachable = 3;
    public const int Unauthorized = 4;
    public const int Failed = 5;

    private const string DefaultTokenFile = "data/registry/admin.token";

    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _urls;
    private int _current; // the registry that last accepted a connection: later requests of this command go there first

    private RegistryClient(IReadOnlyList<Uri> urls, string token)
    {
        _urls = urls;
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static Option<string> UrlOption() => new("--registry")
    {
        Description = "The registry's admin API; several registry processes comma-separated, tried in order",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("IMEIEIR_REGISTRY") ?? "http://127.0.0.1:8700",
    };

    public static Option<string?> TokenOption() => new("--token")
    {
        Description = $"Bearer token (default: $IMEIEIR_TOKEN, else the file given by --token-file)",
    };

    public static Option<string> TokenFileOption() => new("--token-file")
    {
        Description = "File holding the token; an all-in-one registry writes its admin token there",
        DefaultValueFactory = _ => DefaultTokenFile,
    };

    /// <summary>Builds a client, or writes why not and returns null.</summary>
    public static RegistryClient? Create(string url, string? token, string tokenFile)
    {
        if (!RegistryUrls.TryParse(url, out IReadOnlyList<Uri> urls, out string problem))
        {
            Console.Error.WriteLine($"eirctl: --registry: {problem}");
            return null;
        }
        token ??= Environment.GetEnvironmentVariable("IMEIEIR_TOKEN");
        if (string.IsNullOrEmpty(token))
        {
            if (!File.Exists(tokenFile))
            {
                Console.Error.WriteLine($"eirctl: no token: pass --token, set IMEIEIR_TOKEN, or point --token-file at the registry's admin.token (not found: {tokenFile})");
                return null;
            }
            token = File.ReadAllText(tokenFile).Trim();
        }
        return new RegistryClient(urls, token);
    }

    /// <summary>Sends <paramref name="request"/> (a path relative to the registry's URL) to the first registry that accepts a connection.</summary>
    public async Task<(HttpResponseMessage? Response, int ExitCode)> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendToFirstReachableAsync(_current, () => CopyOf(request), ct);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"eirctl: cannot reach the registry at {(NothingSent(e) ? string.Join(", ", _urls) : _urls[_current])}: {e.Message}");
            return (null, Unreachable);
        }
        return await CheckAsync(response, ct);
    }

    /// <summary>
    /// GETs <paramref name="path"/> (relative to the registry's URL) and parses its JSON body. On any failure the
    /// document is null and the exit code says why, the reason already written; but a 404 on an
    /// <paramref name="optional"/> path (an API this registry process does not run) is written nowhere and exits 0.
    /// </summary>
    public async Task<(JsonDocument? Document, int ExitCode)> GetJsonAsync(string path, CancellationToken ct, bool optional = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        (HttpResponseMessage? response, int exit) = await SendAsync(request, ct);
        if (response is null)
            return (null, exit);
        using (response)
        {
            if (optional && response.StatusCode == HttpStatusCode.NotFound)
                return (null, 0);
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"eirctl: GET /{path}: {(int)response.StatusCode}: {await DetailAsync(response, ct)}");
                return (null, Failed);
            }
            try
            {
                return (await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct), 0);
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"eirctl: GET /{path}: the registry's answer is not JSON ({e.Message})");
                return (null, Failed);
            }
        }
    }

    /// <summary>
    /// Sends a fresh <paramref name="makeRequest"/>() to each registry from <paramref name="start"/> on, in order, until
    /// one accepts the connection; a refused connection was sent nothing, so moving on is always safe. Throws the
    /// last registry's error when none accepts, and any error after a connection was made.
    /// </summary>
    private async Task<HttpResponseMessage> SendToFirstReachableAsync(int start, Func<HttpRequestMessage> makeRequest, CancellationToken ct)
    {
        for (int tried = 0; ; tried++)
        {
            int index = (start + tried) % _urls.Count;
            using HttpRequestMessage request = makeRequest();
            request.RequestUri = new Uri(_urls[index], request.RequestUri!);
            _current = index;
            try
            {
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e) when (NothingSent(e) && tried + 1 < _urls.Count)
            {
                Console.Error.WriteLine($"eirctl: cannot reach the registry at {_urls[index]} ({e.Message}); trying {_urls[(index + 1) % _urls.Count]}");
            }
        }
    }

    private static bool NothingSent(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    /// <summary>
    /// A request like <paramref name="original"/> that can be sent again (a request is sent once): same method, path,
    /// headers and content. Only ever sent after the earlier copy's connection was refused, so its content was not read.
    /// Disposing the copy would dispose the shared content: the caller's request owns it.
    /// </summary>
    private static HttpRequestMessage CopyOf(HttpRequestMessage original)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Content = original.Content is null ? null : new SharedContent(original.Content) };
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    /// <summary>
    /// <see cref="SendAsync"/> for a request that is safe to send twice (it carries an idempotency key): when the
    /// connection is lost after the request may have reached the registry (reset, ended, or no answer within the
    /// timeout), says so and sends a fresh <paramref name="makeRequest"/>() once more; the registry answers a
    /// repeat with the first send's outcome. With several registries the retry goes to the next one (another process
    /// of the same registry shares its idempotency keys); a refused connection moves on without counting as the retry:
    /// nothing was sent.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, int ExitCode)> SendRetryingAsync(Func<HttpRequestMessage> makeRequest, CancellationToken ct)
    {
        string retryingAt;
        try
        {
            HttpResponseMessage response = await SendToFirstReachableAsync(_current, makeRequest, ct);
            return await CheckAsync(response, ct);
        }
        catch (HttpRequestException e) when (NothingSent(e))
        {
            Console.Error.WriteLine($"eirctl: cannot reach the registry at {string.Join(", ", _urls)}: {e.Message}");
            return (null, Unreachable);
        }
        catch (HttpRequestException e)
        {
            retryingAt = RetryTarget();
            Console.Error.WriteLine($"eirctl: lost the connection to the registry before its answer ({e.Message}); retrying once with the same idempotency key{retryingAt}");
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            retryingAt = RetryTarget();
            Console.Error.WriteLine($"eirctl: no answer from the registry within {_http.Timeout.TotalSeconds:0} s ({e.Message}); retrying once with the same idempotency key{retryingAt}");
        }
        try
        {
            HttpResponseMessage response = await SendToFirstReachableAsync(_current, makeRequest, ct);
            return await CheckAsync(response, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            Console.Error.WriteLine($"eirctl: the retry failed too ({e.Message}); the push may or may not have been applied: "
                + "`eirctl status` shows the registry's sequence, and pushing the file again is safe (its lines are states)");
            return (null, Unreachable);
        }
    }

    /// <summary>Moves to the next registry for a retry (none to move to with one URL); says where, for the message.</summary>
    private string RetryTarget()
    {
        if (_urls.Count == 1) return "";
        _current = (_current + 1) % _urls.Count;
        return $" at {_urls[_current]}";
    }

    private static async Task<(HttpResponseMessage? Response, int ExitCode)> CheckAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Console.Error.WriteLine($"eirctl: the registry refused the token (401): {await DetailAsync(response, ct)}");
            response.Dispose();
            return (null, Unauthorized);
        }
        return (response, 0);
    }

    /// <summary>The <c>detail</c> of a problem+json body, or the status line.</summary>
    public static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (problem.RootElement.TryGetProperty("detail", out JsonElement detail))
                return detail.GetString() ?? "";
        }
        catch (JsonException)
        {
        }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    public void Dispose() => _http.Dispose();
}
