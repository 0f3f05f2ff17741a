using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace ImeiEir.Registry.JetStream;

/// <summary>
/// Start-up calls to the JetStream API (create or bind a stream, a bucket) tried again while the API does not
/// answer: creating a replicated stream waits for its group to elect a leader, and on a loaded machine the answer
/// can come after the client's request timeout, the create having happened all the same. Only for calls that are
/// safe to repeat.
/// </summary>
internal static class ApiRetry
{
    /// <summary>How long a call is tried again while the JetStream API does not answer.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task<T> UntilAnsweredAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is NatsJSApiNoResponseException or NatsNoRespondersException or TimeoutException
                                      && Stopwatch.GetElapsedTime(start) < Bound)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
    }
}
