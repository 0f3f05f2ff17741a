using System.Text.Json;

namespace ImeiEir.Registry;

/// <summary>The seven delta fields of one line, as text (empty when absent or empty).</summary>
internal ref struct DeltaFields
{
    public const int Count = 7;
    public const int OpField = 0, ImeiField = 1, ListField = 2, ReasonField = 3, DeadlineField = 4, NewImeiField = 5, ImsiField = 6;

    public static readonly string[] Names = ["op", "imei", "list", "reason", "deadline", "new_imei", "imsi"];
    public const string NameList = "op, imei, list, reason, deadline, new_imei, imsi";

    public ReadOnlySpan<char> Op;
    public ReadOnlySpan<char> Imei;
    public ReadOnlySpan<char> List;
    public ReadOnlySpan<char> Reason;
    public ReadOnlySpan<char> Deadline;
    public ReadOnlySpan<char> NewImei;
    public ReadOnlySpan<char> Imsi;

    public static int IndexOf(string name) => Array.IndexOf(Names, name);

    public static int IndexOfUtf8(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("op"u8)) return OpField;
        if (reader.ValueTextEquals("imei"u8)) return ImeiField;
        if (reader.ValueTextEquals("list"u8)) return ListField;
        if (reader.ValueTextEquals("reason"u8)) return ReasonField;
        if (reader.ValueTextEquals("deadline"u8)) return DeadlineField;
        if (reader.ValueTextEquals("new_imei"u8)) return NewImeiField;
        if (reader.ValueTextEquals("imsi"u8)) return ImsiField;
        return -1;
    }

    public void Set(int field, ReadOnlySpan<char> value)
    {
        switch (field)
        {
            case OpField: Op = value; break;
            case ImeiField: Imei = value; break;
            case ListField: List = value; break;
            case ReasonField: Reason = value; break;
            case DeadlineField: Deadline = value; break;
            case NewImeiField: NewImei = value; break;
            case ImsiField: Imsi = value; break;
        }
    }
}
