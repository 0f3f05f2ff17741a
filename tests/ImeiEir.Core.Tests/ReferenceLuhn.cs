namespace ImeiEir.Core.Tests;

/// <summary>
/// A slow, string-based Luhn written straight from TS 23.003 Annex B and ISO/IEC 7812-1, independent of
/// <see cref="Imei.ComputeCheckDigit"/>: try each candidate digit and keep the one that makes the number valid.
/// </summary>
internal static class ReferenceLuhn
{
    public static bool IsValid(string number)
    {
        int sum = 0;
        for (int fromRight = 0; fromRight < number.Length; fromRight++)
        {
            int digit = number[number.Length - 1 - fromRight] - '0';
            if (fromRight % 2 == 1)
            {
                int doubled = digit * 2;
                digit = doubled / 10 + doubled % 10; // add the digits of the product
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    public static int CheckDigit(string fourteenDigits)
    {
        for (int candidate = 0; candidate <= 9; candidate++)
        {
            if (IsValid(fourteenDigits + (char)('0' + candidate))) return candidate;
        }
        throw new InvalidOperationException("Some digit always completes a Luhn number.");
    }
}
