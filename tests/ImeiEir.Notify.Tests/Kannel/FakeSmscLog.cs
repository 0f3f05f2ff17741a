using System.Text;
using System.Text.RegularExpressions;

namespace ImeiEir.Notify.Tests.Kannel;

/// <summary>One SMS as the fake SMSC received it, its concatenated parts joined.</summary>
internal sealed record ReceivedSms(string From, string To, string Text, int Parts);

/// <summary>
/// Reads what Kannel's fakesmsc logged, as tests/peers/kannel/fakesmsc_decode.py does:
/// <code>
///   DEBUG: Got message N: &lt;from to ucs-2 DATA&gt;                      one UCS-2 SMS
///   DEBUG: Got message N: &lt;from to udh UDH data DATA&gt;               one part of a concatenated SMS
/// </code>
/// DATA and UDH are Kannel's URL encoding ('+' is the byte 0x20, %XX a byte); UCS-2 is UTF-16BE. A UDH of a
/// concatenated SMS (3GPP TS 23.040 §9.2.3.24.1/.8) is 05 00 03 ref total seq, or 06 08 04 ref ref total seq.
/// </summary>
internal static partial class FakeSmscLog
{
    public static List<ReceivedSms> Parse(string log)
    {
        var messages = new List<ReceivedSms>();
        var open = new Dictionary<(string To, int Ref, int Total), SortedDictionary<int, string>>();
        foreach (string line in log.Split('\n'))
        {
            Match m = GotMessage().Match(line);
            if (!m.Success) continue;
            string[] f = m.Groups[1].Value.Split(' ');
            if (f.Length >= 4 && f[2] == "ucs-2")
            {
                messages.Add(new ReceivedSms(f[0], f[1], Encoding.BigEndianUnicode.GetString(Unquote(f[3])), 1));
            }
            else if (f.Length >= 6 && f[2] == "udh" && f[4] == "data")
            {
                byte[] udh = Unquote(f[3]);
                if (!TryConcatenation(udh, out int reference, out int total, out int seq))
                    throw new InvalidDataException($"fakesmsc line with a UDH that is not a concatenation header: {line}");
                var key = (f[1], reference, total);
                if (!open.TryGetValue(key, out SortedDictionary<int, string>? parts)) open[key] = parts = [];
                parts[seq] = Encoding.BigEndianUnicode.GetString(Unquote(f[5]));
                if (parts.Count == total)
                {
                    messages.Add(new ReceivedSms(f[0], f[1], string.Concat(parts.Values), total));
                    open.Remove(key);
                }
            }
            else
            {
                throw new InvalidDataException($"fakesmsc line of an unexpected type (not UCS-2): {line}");
            }
        }
        return messages;
    }

    private static bool TryConcatenation(byte[] udh, out int reference, out int total, out int seq)
    {
        reference = total = seq = 0;
        for (int i = 1; i + 1 < udh.Length && i <= udh[0];)
        {
            byte iei = udh[i], length = udh[i + 1];
            if (iei == 0x00 && length == 3) { reference = udh[i + 2]; total = udh[i + 3]; seq = udh[i + 4]; return true; }
            if (iei == 0x08 && length == 4) { reference = udh[i + 2] << 8 | udh[i + 3]; total = udh[i + 4]; seq = udh[i + 5]; return true; }
            i += 2 + length;
        }
        return false;
    }

    private static byte[] Unquote(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '+') bytes.Add(0x20);
            else if (c == '%' && i + 2 < text.Length)
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.Add((byte)c);
        }
        return [.. bytes];
    }

    [GeneratedRegex(@"Got message \d+: <(.*)>\s*$")]
    private static partial Regex GotMessage();
}
