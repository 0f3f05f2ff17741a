namespace ImeiEir.Diameter;

/// <summary>
/// The one check of a DiameterIdentity (RFC 6733 §4.3.1: an FQDN or realm, printable ASCII), shared by our own
/// configuration and by every Origin-Host and Origin-Realm a peer sends. We accept the DNS host-name alphabet
/// (letters, digits, '-', '_') in non-empty labels separated by single dots, at most 255 characters: nothing that can
/// break a log line, a metric label or a routing table.
/// </summary>
public static class DiameterIdentity
{
    /// <summary>Longest accepted identity, in characters (the DNS limit of a name).</summary>
    public const int MaxLength = 255;

    /// <summary>True when <paramref name="value"/> (the AVP's UTF-8 data) is a DiameterIdentity. Allocates nothing.</summary>
    public static bool IsValid(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.Length > MaxLength || value[0] == '.' || value[^1] == '.')
        {
            return false;
        }

        byte previous = 0;
        foreach (byte b in value)
        {
            if (!IsIdentityChar((char)b) || (b == '.' && previous == '.'))
            {
                return false;
            }

            previous = b;
        }

        return true;
    }

    /// <summary>True when <paramref name="value"/> is a DiameterIdentity.</summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength || value[0] == '.' || value[^1] == '.')
        {
            return false;
        }

        char previous = '\0';
        foreach (char c in value)
        {
            if (!IsIdentityChar(c) || (c == '.' && previous == '.'))
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    private static bool IsIdentityChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_';
}
