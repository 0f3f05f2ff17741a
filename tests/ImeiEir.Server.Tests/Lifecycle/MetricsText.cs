using System.Globalization;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>Reads one sample from Prometheus text exposition format.</summary>
internal static class MetricsText
{
    /// <summary>The value of the sample whose name and labels are exactly <paramref name="series"/>; 0 when absent.</summary>
    public static double Value(string exposition, string series)
    {
        foreach (string line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(series, StringComparison.Ordinal)) continue;
            string rest = line[series.Length..];
            if (rest.Length == 0 || rest[0] != ' ') continue;
            return double.Parse(rest.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
