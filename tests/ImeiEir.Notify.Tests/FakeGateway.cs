using System.Net;
using System.Web;

namespace ImeiEir.Notify.Tests;

/// <summary>
/// A scripted Kannel sendsms for unit tests: records every request with the fake clock's time and answers with
/// what <see cref="Answer"/> says for the n-th request (1-based): an HTTP status and body, or null for "connection refused".
/// </summary>
internal sealed class FakeGateway(TimeProvider time) : HttpMessageHandler
{
    private readonly object _gate = new();
    private readonly List<(DateTimeOffset At, Uri Url)> _requests = [];

    public Func<int, (HttpStatusCode Status, string Body)?> Answer { get; set; } = _ => (HttpStatusCode.Accepted, "0: Accepted for delivery");

    public int Count { get { lock (_gate) return _requests.Count; } }

    public IReadOnlyList<(DateTimeOffset At, Uri Url)> Requests { get { lock (_gate) return [.. _requests]; } }

    /// <summary>The decoded query of request <paramref name="index"/> (0-based).</summary>
    public System.Collections.Specialized.NameValueCollection Query(int index) => HttpUtility.ParseQueryString(Requests[index].Url.Query);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        int n;
        lock (_gate)
        {
            _requests.Add((time.GetUtcNow(), request.RequestUri!));
            n = _requests.Count;
        }
        if (Answer(n) is not { } answer) throw new HttpRequestException("Connection refused (127.0.0.1:13013)");
        return Task.FromResult(new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body) });
    }
}
