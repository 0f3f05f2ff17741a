using System.Globalization;

namespace ImeiEir.Core.Tac;

/// <summary>
/// Writes entries as this project's TAC document: <c>tac,manufacturer,model,device_type</c>, one TAC per line in
/// ascending order, fields with a comma or quote quoted. <see cref="TacFileParser"/> reads it back unchanged.
/// </summary>
public static class TacFileWriter
{
    public const string Header = "tac,manufacturer,model,device_type";

    /// <summary>Writes <paramref name="entries"/> sorted by TAC.</summary>
    public static void Write(TextWriter writer, IEnumerable<TacEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Header);
        writer.Write('\n');
        foreach (TacEntry entry in entries.OrderBy(e => e.Tac))
        {
            writer.Write(entry.Tac.ToString("D8", CultureInfo.InvariantCulture));
            writer.Write(',');
            WriteField(writer, entry.Manufacturer);
            writer.Write(',');
            WriteField(writer, entry.Model);
            writer.Write(',');
            WriteField(writer, entry.DeviceType);
            writer.Write('\n');
        }
    }

    private static void WriteField(TextWriter writer, string text)
    {
        if (text.AsSpan().IndexOfAny(",\"") < 0 && text.Trim().Length == text.Length)
        {
            writer.Write(text);
            return;
        }
        writer.Write('"');
        writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
