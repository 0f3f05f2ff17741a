using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// The registry admin API as eirctl uses it: the URL and token options every registry command shares, and one
/// place that turns HTTP failures (refused, 401, problem+json) into a one-line message and an exit code.
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    public const int Rejected = 2;
    public const int Unreachable = 3;
    public const int Unauthorized = 4;
    public const int Failed = 5;

    private const string DefaultTokenFile = "data/registry/admin.token";

    private readonly HttpClient _http;

    private RegistryClient(Uri baseUrl, string token)
    {
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static Option<string> UrlOption() => new("--registry")
    {
        Description = "The registry's admin API",
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
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out Uri? baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"eirctl: --registry '{url}' is not an http(s) URL");
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
        return new RegistryClient(baseUrl, token);
    }

    public async Task<(HttpResponseMessage? Response, int ExitCode)> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"eirctl: cannot reach the registry at {_http.BaseAddress}: {e.Message}");
            return (null, Unreachable);
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Console.Error.WriteLine($"eirctl: the registry refused the token (401): {await DetailAsync(response, ct)}");
            response.Dispose();
            return (null, Unauthorized);
        }
        return (response, 0);
    }

    /// <summary>
    /// <see cref="SendAsync"/> for a request that is safe to send twice (it carries an idempotency key): when the
    /// connection is lost after the request may have reached the registry (reset, ended, or no answer within the
    /// timeout), says so and sends a fresh <paramref name="makeRequest"/>() once more; the registry answers a
    /// repeat with the first send's outcome. A refused connection is not retried: nothing was sent.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, int ExitCode)> SendRetryingAsync(Func<HttpRequestMessage> makeRequest, CancellationToken ct)
    {
        try
        {
            using HttpRequestMessage first = makeRequest();
            HttpResponseMessage response = await _http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead, ct);
            return await CheckAsync(response, ct);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                 or HttpRequestError.SecureConnectionError))
        {
            Console.Error.WriteLine($"eirctl: lost the connection to the registry before its answer ({e.Message}); retrying once with the same idempotency key");
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            Console.Error.WriteLine($"eirctl: no answer from the registry within {_http.Timeout.TotalSeconds:0} s ({e.Message}); retrying once with the same idempotency key");
        }
        using HttpRequestMessage second = makeRequest();
        try
        {
            HttpResponseMessage response = await _http.SendAsync(second, HttpCompletionOption.ResponseHeadersRead, ct);
            return await CheckAsync(response, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            Console.Error.WriteLine($"eirctl: the retry failed too ({e.Message}); the push may or may not have been applied: "
                + "`eirctl status` shows the registry's sequence, and pushing the file again is safe (its lines are states)");
            return (null, Unreachable);
        }
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
