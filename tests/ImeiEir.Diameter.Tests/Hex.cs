namespace ImeiEir.Diameter.Tests;

internal static class Hex
{
    public static byte[] Decode(string hex) => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static byte[] LoadTestData(string name) =>
        Decode(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", name)));

    /// <summary>Same as <see cref="LoadTestData"/> but without NUnit's context (usable inside generators).</summary>
    public static byte[] LoadGolden(string name) =>
        Decode(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name)));
}
