namespace ImeiEir.Core;

/// <summary>The outcome of parsing IMEI text.</summary>
public enum ImeiParseResult : byte
{
    /// <summary>Not an IMEI at all: non-digits, or a length other than 14, 15 or 16. A protocol error.</summary>
    Malformed = 0,

    /// <summary>14 digits, 16 (IMEISV), or 15 with the right Luhn check digit or the spare digit 0.</summary>
    Valid = 1,

    /// <summary>15 digits whose last digit is neither the Luhn check digit nor 0: an invalid IMEI (decision rule 5).</summary>
    BadCheckDigit = 2,
}
