using System.Globalization;
using System.Text.Json;
using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Api;

/// <summary>One notice as the API shows it: every field, times in UTC, the deadline in the regime's zone.</summary>
internal static class NoticeJson
{
    public static void Write(Utf8JsonWriter json, NoticeView v, TimeZoneInfo zone)
    {
        json.WriteStartObject();
        json.WriteString("key", v.Key);
        json.WriteString("kind", v.Kind.ToName());
        json.WriteString("state", v.State.ToName());
        json.WriteString("imei", v.Imei.ToString());
        json.WriteString("imsi", v.Imsi);
        WriteOptional(json, "msisdn", v.Msisdn);
        WriteOptional(json, "language", v.Language?.ToCode());
        if (v.DeadlineUnixSeconds == 0) json.WriteNull("deadline");
        else json.WriteString("deadline", TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(v.DeadlineUnixSeconds), zone)
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
        json.WriteString("localDay", v.LocalDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteNumber("attempts", v.Attempts);
        WriteTime(json, "created", v.Created);
        WriteTime(json, "updated", v.Updated);
        WriteTime(json, "nextAttempt", v.NextAttempt);
        WriteTime(json, "sent", v.Sent);
        WriteTime(json, "final", v.Final);
        if (v.LastDlrType == 0) json.WriteNull("lastDlrType");
        else json.WriteNumber("lastDlrType", v.LastDlrType);
        WriteOptional(json, "lastError", v.LastError);
        WriteOptional(json, "gatewayAnswer", v.GatewayAnswer);
        WriteOptional(json, "text", v.Text);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is null) json.WriteNull(name);
        else json.WriteString(name, time.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}
