using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ImeiEir.Diameter;

/// <summary>
/// Every throw of the library lives here, out of line, so the hot-path callers stay small and inlinable (docs/ARCHITECTURE.md, convention 7).
/// All of them signal caller bugs (a too-small buffer, a frame shorter than a header), never peer input.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowDestinationTooSmall() =>
        throw new ArgumentException("The destination span is too small for the message; size it with MaxAnswerLength / MaxEcrLength.", "destination");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNotAMessage(string paramName) =>
        throw new ArgumentException("The request is shorter than a Diameter header; only delimited frames can be answered.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowAvpTooLong() =>
        throw new ArgumentException("An AVP cannot be longer than 2^24 - 1 bytes (RFC 6733 §4.1).", "data");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidToken() =>
        throw new InvalidOperationException("EndGrouped was given a token that BeginGrouped did not return.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowNoHeader() =>
        throw new InvalidOperationException("Finish needs WriteHeader first.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);
}
