using System.Globalization;
using System.Text;

namespace ImeiEir.Integration.Tests;

/// <summary>
/// The initial lists every test server loads (--Registry:InitialLists), and the IMEIs and IMSIs the peers ask about.
/// Check digits are computed here with an independent Luhn (TS 23.003 Annex B), not with the server's code.
/// </summary>
internal static class TestLists
{
    public const string HomeImsi = "401011234567890";        // MCC 401: the regime applies
    public const string ForeignImsi = "250991234567890";     // MCC 250: an inbound roamer

    public const string White = "35209900176148";            // white, verified
    public const string WhiteImported = "49015420323751";    // white, imported
    public const string Black = "35123456000000";            // black, stolen
    public const string BlackSnr3 = "35123456000003";        // black, stolen (another serial of the same TAC)
    public const string BlackCounterfeit = "86753090000001"; // black, counterfeit
    public const string Grey = "99999999000000";             // grey until 2099-01-01
    public const string GreyExpired = "99999999000017";      // grey until 2020-01-01: expired, so BLACKLISTED
    public const string Unknown = "35000011111111";          // on no list
    public const string UnknownOther = "35000011111128";     // on no list
    public const string InvalidTac = "00000000123456";       // TAC 00000000: no real device (default invalid range)

    /// <summary>Bulk records for the load: TACs 86120000.., serials spread out, lists in turn white/black/grey.</summary>
    public const int BulkCount = 1200;

    public static string BulkImei(int i) =>
        (86_120_000 + i / 100).ToString(CultureInfo.InvariantCulture)
        + (i * 7919L % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The Equipment-Status a bulk IMEI must get: 0 white, 1 black, 2 grey.</summary>
    public static int BulkStatus(int i) => i % 3;

    /// <summary>The CSV for --Registry:InitialLists: header imei,list,reason,deadline; 14-digit IMEIs.</summary>
    public static string InitialListsCsv()
    {
        var csv = new StringBuilder();
        csv.Append("imei,list,reason,deadline\n");
        csv.Append(CultureInfo.InvariantCulture, $"{White},white,verified,\n");
        csv.Append(CultureInfo.InvariantCulture, $"{WhiteImported},white,imported,\n");
        csv.Append(CultureInfo.InvariantCulture, $"{Black},black,stolen,\n");
        csv.Append(CultureInfo.InvariantCulture, $"{BlackSnr3},black,stolen,\n");
        csv.Append(CultureInfo.InvariantCulture, $"{BlackCounterfeit},black,counterfeit,\n");
        csv.Append(CultureInfo.InvariantCulture, $"{Grey},grey,unverified,2099-01-01\n");
        csv.Append(CultureInfo.InvariantCulture, $"{GreyExpired},grey,unverified,2020-01-01\n");
        for (int i = 0; i < BulkCount; i++)
        {
            string line = BulkStatus(i) switch
            {
                0 => "white,verified,",
                1 => "black,stolen,",
                _ => "grey,unverified,2099-01-01",
            };
            csv.Append(CultureInfo.InvariantCulture, $"{BulkImei(i)},{line}\n");
        }
        return csv.ToString();
    }

    /// <summary>The Luhn check digit of 14 digits: double every second digit from the left, sum the digits.</summary>
    public static int CheckDigit(string fourteen)
    {
        if (fourteen.Length != 14 || !fourteen.All(char.IsAsciiDigit))
            throw new ArgumentException($"'{fourteen}' is not 14 digits", nameof(fourteen));
        int sum = 0;
        for (int i = 0; i < 14; i++)
        {
            int d = fourteen[i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    public static string WithCheckDigit(string fourteen) => fourteen + (char)('0' + CheckDigit(fourteen));

    /// <summary>15 digits with a wrong check digit (never 0, which networks may send as a spare digit).</summary>
    public static string WithWrongCheckDigit(string fourteen)
    {
        int wrong = (CheckDigit(fourteen) + 1) % 10;
        if (wrong == 0) wrong = (CheckDigit(fourteen) + 2) % 10;
        return fourteen + (char)('0' + wrong);
    }
}
