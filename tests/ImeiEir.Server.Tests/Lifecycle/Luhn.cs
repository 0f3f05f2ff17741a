namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>The IMEI check digit (TS 23.003 Annex B), written here independently of the server's code.</summary>
internal static class Luhn
{
    public static string With(string imei14)
    {
        int sum = 0;
        for (int i = 0; i < 14; i++)
        {
            int d = imei14[i] - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return imei14 + (char)('0' + (10 - sum % 10) % 10);
    }

    public static string WithWrong(string imei14)
    {
        string good = With(imei14);
        return imei14 + (char)('0' + (good[14] - '0' + 1) % 10);
    }
}
