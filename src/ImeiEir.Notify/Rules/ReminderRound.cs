namespace ImeiEir.Notify.Rules;

/// <summary>What one reminder round did.</summary>
/// <param name="Day">The local day of the round.</param>
/// <param name="Reminders">Daily reminders enqueued (new ones; a round run twice on a day adds none the second time).</param>
/// <param name="Blacklisted">Blacklisted notices enqueued for devices found expired (their expiry notice was missed).</param>
/// <param name="Forgotten">Devices no longer grey (verified, removed, black), whose pairs were dropped.</param>
/// <param name="Skipped">Pairs left for another day: first seen that day (they had the grey-start notice), or past the deadline with the expiry not yet written.</param>
public readonly record struct ReminderRound(DateOnly Day, int Reminders, int Blacklisted, int Forgotten, int Skipped);
