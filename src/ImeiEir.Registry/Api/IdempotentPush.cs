using System.Text;
using Microsoft.AspNetCore.Http;

namespace ImeiEir.Registry;

/// <summary>
/// A push with an <c>Idempotency-Key</c>: the first with a key is applied and its report journaled
/// (<see cref="PushJournal"/>); a later one with the same key and body is answered with that report and writes
/// nothing (a client that lost the connection retries safely); one with the same key and another body gets 422.
/// </summary>
internal static class IdempotentPush
{
    public const int MaxKeyLength = 200;

    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and <= '~');

    public static async Task HandleAsync(HttpContext context, RegistryService registry, string key, string hash, DeltaBatch batch, bool partial,
        Attribution by)
    {
        PushJournal journal = registry.Pushes;
        // One keyed push at a time: two sends of one key racing must not both apply. Writes are serialised anyway.
        await journal.Gate.WaitAsync(context.RequestAborted);
        try
        {
            if (journal.Find(key) is { } record)
            {
                if (record.BodyHash != hash)
                {
                    await ApiProblems.ProblemAsync(context, 422, "Idempotency-Key reused",
                        $"Idempotency-Key {key} was used for a different delta (another body or ?partial); a retry must send the same delta, a new push needs a new key");
                    return;
                }
                if (ApiProblems.Logger(context) is { } logger) RegistryLog.PushReplayed(logger, key);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                context.Response.Headers["Idempotency-Replayed"] = "true";
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(record.Report), context.RequestAborted);
                return;
            }
            await PostDeltasEndpoint.ApplyAndAnswerAsync(context, registry, batch, partial, by, report =>
            {
                // After the commit, before the answer: once the client can have seen the outcome, a retry finds it.
                try
                {
                    journal.Record(key, hash, DeltaReportJson.ReportBytes(report, PushJournal.MaxReportBytes));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (ApiProblems.Logger(context) is { } logger) RegistryLog.PushNotJournaled(logger, key, e);
                }
            });
        }
        finally
        {
            journal.Gate.Release();
        }
    }
}
