using System.Text;

namespace ImeiEir.Node.Observability;

/// <summary>
/// Makes text a peer sent safe to put in a log line: printable ASCII passes, a backslash doubles, <c>\n \r \t</c>
/// are written as such, every other byte (control characters, DEL, each byte of non-ASCII UTF-8) as <c>\xNN</c>; at
/// most <see cref="MaxInput"/> bytes are shown, then <c>...</c>. A peer can therefore neither end the line and forge
/// another, nor smuggle terminal escapes or NUL bytes into the log, nor fill it with one 16 MB AVP. Only called when a
/// line is written, never on the answer path.
/// </summary>
internal static class LogText
{
    /// <summary>How many bytes of the peer's text are shown before the ellipsis.</summary>
    public const int MaxInput = 128;

    private const string Ellipsis = "...";

    /// <summary>Escapes the raw bytes of an AVP (UTF8String or OctetString).</summary>
    public static string Escape(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> shown = text.Length > MaxInput ? text[..MaxInput] : text;
        var builder = new StringBuilder(shown.Length + 8);
        foreach (byte b in shown)
        {
            Append(builder, b);
        }

        if (shown.Length < text.Length)
        {
            builder.Append(Ellipsis);
        }

        return builder.ToString();
    }

    /// <summary>Escapes a string, byte by byte of its UTF-8 form.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // MaxInput + 1 characters are more than MaxInput bytes of UTF-8: enough to know the ellipsis is due.
        ReadOnlySpan<char> head = text.Length > MaxInput ? text.AsSpan(0, MaxInput + 1) : text;
        return Escape(Encoding.UTF8.GetBytes(head.ToArray()));
    }

    private static void Append(StringBuilder builder, byte b)
    {
        switch (b)
        {
            case (byte)'\\': builder.Append(@"\\"); return;
            case (byte)'\n': builder.Append(@"\n"); return;
            case (byte)'\r': builder.Append(@"\r"); return;
            case (byte)'\t': builder.Append(@"\t"); return;
        }

        if (b is >= 0x20 and < 0x7F)
        {
            builder.Append((char)b);
        }
        else
        {
            builder.Append(@"\x").Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
        }
    }

    private const string HexDigits = "0123456789ABCDEF";
}
