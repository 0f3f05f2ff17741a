using System.Globalization;
using System.Text.Json;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>A change's fields in JSON, as the record lookup's history and the NDJSON feed show them.</summary>
internal static class ChangeJson
{
    /// <summary>op, list, reason, deadline, time, origin, relatedImei and imsi (a pair's or unpair's) of <paramref name="change"/>.</summary>
    public static void WriteFields(Utf8JsonWriter json, in Change change, RegimeCalendar calendar)
    {
        json.WriteString("op", change.Op switch
        {
            ChangeOp.Remove => "remove",
            ChangeOp.Pair => "pair",
            ChangeOp.Unpair => "unpair",
            _ => "set",
        });
        json.WriteString("list", change.List.ToName());
        json.WriteString("reason", change.Reason.ToName());
        WriteDeadline(json, change.DeadlineUnixSeconds, calendar);
        json.WriteString("time", Time(change.TimeUnixMilliseconds));
        json.WriteString("origin", change.Origin switch
        {
            ChangeOrigin.Admin => "admin",
            ChangeOrigin.Lifecycle => "lifecycle",
            _ => "sighting",
        });
        if (change.RelatedImeiKey == 0) json.WriteNull("relatedImei");
        else json.WriteString("relatedImei", Imei.FromKey(change.RelatedImeiKey).ToString());
        if (change.Imsi.IsNone) json.WriteNull("imsi");
        else json.WriteString("imsi", change.Imsi.ToString());
    }

    /// <summary>A deadline as admins write it: the regime's local date-time with its offset, e.g. 2026-12-24T00:00:00+05:00.</summary>
    public static void WriteDeadline(Utf8JsonWriter json, uint unixSeconds, RegimeCalendar calendar)
    {
        if (unixSeconds == 0) json.WriteNull("deadline");
        else json.WriteString("deadline", TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), calendar.Zone)
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
    }

    /// <summary>A UTC time with milliseconds, e.g. 2026-12-24T13:00:00.000Z.</summary>
    public static string Time(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
