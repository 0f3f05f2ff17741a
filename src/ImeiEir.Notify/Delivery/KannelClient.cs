using System.Globalization;
using System.Net;
using System.Text;
using ImeiEir.Notify.Outbox;

namespace ImeiEir.Notify.Delivery;

/// <summary>
/// Kannel smsbox's HTTP <c>sendsms</c> (Kannel user guide, "Sending SMS messages", sendsms-user):
/// <code>
///   GET {SendSmsUrl}?username=U&amp;password=P&amp;from=F&amp;to=MSISDN&amp;text=&lt;UTF-8, %-encoded&gt;&amp;charset=UTF-8&amp;coding=2
///       [&amp;dlr-mask=31&amp;dlr-url=&lt;%-encoded {DlrUrl}?key=KEY&amp;type=%d[&amp;token=T]&gt;]
///   → 202 "0: Accepted for delivery" | 202 "3: Queued for later delivery" | 200 "Sent."        accepted
///   → 4xx (403 "Authorization failed for sendsms", 400 "Missing receiver number, rejected"), 5xx   error
/// </code>
/// coding=2 is UCS-2, which Cyrillic and Kazakh letters need. The whole text goes in one request: Kannel splits it into
/// concatenated parts (UDH) itself, provided the sendsms-user allows it (<c>concatenation = true</c>, <c>max-messages</c>
/// at least 7: the longest text, ~440 characters, is 7 parts of 67); otherwise Kannel silently sends only the first part.
/// Kannel replaces <c>%d</c> in the dlr-url with the report type when it calls back.
/// </summary>
internal sealed class KannelClient(HttpClient http, NotifyOptions options, string dlrToken, TimeProvider time)
{
    /// <summary>The outcome of one attempt.</summary>
    public readonly record struct Result(bool Accepted, string Detail);

    /// <summary>The request URL. It holds the password: never log it.</summary>
    public Uri BuildUrl(in OutgoingSms sms)
    {
        var url = new StringBuilder(options.SendSmsUrl);
        url.Append(options.SendSmsUrl!.Contains('?') ? '&' : '?');
        Append(url, "username", options.Username!, first: true);
        Append(url, "password", options.Password!);
        Append(url, "from", options.From!);
        Append(url, "to", sms.Msisdn);
        Append(url, "text", sms.Text);
        url.Append("&charset=UTF-8&coding=2");
        if (options.DlrUrl is string dlr)
        {
            string callback = $"{dlr}?key={Uri.EscapeDataString(sms.Key)}&type=%d"
                + "&token=" + Uri.EscapeDataString(dlrToken);
            Append(url, "dlr-mask", options.DlrMask.ToString(CultureInfo.InvariantCulture));
            Append(url, "dlr-url", callback);
        }
        return new Uri(url.ToString());
    }

    /// <summary>
    /// One GET, bounded by <see cref="NotifyOptions.RequestTimeout"/>. Not cancelled by shutdown: a request in flight
    /// is let finish (at most the timeout) so that its outcome is recorded rather than left for a resend.
    /// </summary>
    public async Task<Result> SendAsync(OutgoingSms sms)
    {
        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BuildUrl(sms));
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            string body = (await response.Content.ReadAsStringAsync(timeout.Token)).Trim();
            if (body.Length > 200) body = body[..200];
            return response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK
                ? new Result(true, body.Length == 0 ? $"HTTP {(int)response.StatusCode}" : body)
                : new Result(false, $"HTTP {(int)response.StatusCode} {body}".TrimEnd());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new Result(false, $"no answer within {options.RequestTimeout.TotalSeconds:0.###} s (Notify:RequestTimeout)");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            return new Result(false, "no answer within the HttpClient's timeout");
        }
        catch (HttpRequestException e)
        {
            // The message names the host and port, never the query.
            return new Result(false, $"gateway unreachable: {e.Message}");
        }
    }

    private static void Append(StringBuilder url, string name, string value, bool first = false)
    {
        if (!first) url.Append('&');
        url.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
