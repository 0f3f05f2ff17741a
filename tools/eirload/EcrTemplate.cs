using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ImeiEir.Diameter;

namespace ImeiEir.Tools.EirLoad;

/// <summary>
/// One connection's ECR, encoded once with the codec and then patched per request, so a request costs a copy and
/// three small writes instead of an encode (docs/ARCHITECTURE.md, convention 5). Every ECR of a run has the same length.
/// <code>
/// | header: ... hop-by-hop (12..15) end-to-end (16..19) | Session-Id "host;conn;0000000000" | ... | IMEI 14 digits | ...
///                                                                        ^ counter (10 digits)          ^ key digits
/// </code>
/// </summary>
internal sealed class EcrTemplate
{
    private const int CounterDigits = 10;

    private readonly byte[] _bytes;
    private readonly int _counterOffset;
    private readonly int _imeiOffset;

    public EcrTemplate(LocalIdentity identity, int connection, string destinationRealm, string? imsi)
    {
        byte[] sessionId = Encoding.ASCII.GetBytes($"{identity.OriginHost};{connection};{new string('0', CounterDigits)}");
        byte[] realm = Encoding.UTF8.GetBytes(destinationRealm);
        byte[] imsiBytes = Encoding.ASCII.GetBytes(imsi ?? "");
        byte[] imei = Encoding.ASCII.GetBytes(new string('0', 14));
        var buffer = new byte[S13Messages.MaxEcrLength(imei.Length, imsiBytes.Length, sessionId.Length, identity, realm.Length)];
        int length = S13Messages.WriteEcr(buffer, identity, sessionId, realm, default, imei, default, imsiBytes, 0, 0);
        _bytes = buffer[..length];

        if (!S13Messages.TryParseEcr(_bytes, out EcrView view, out ProtocolError error))
            throw new InvalidOperationException($"the ECR template does not parse (Result-Code {error.ResultCode})");
        _imeiOffset = OffsetOf(view.Imei);
        _counterOffset = OffsetOf(view.SessionId) + sessionId.Length - CounterDigits;
    }

    public int Length => _bytes.Length;

    /// <summary>Writes the ECR for <paramref name="key"/> (14 digits) into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(Span<byte> destination, ulong key, uint hopByHop, uint endToEnd, ulong counter)
    {
        _bytes.CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], hopByHop);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], endToEnd);
        WriteDigits(destination.Slice(_counterOffset, CounterDigits), counter);
        WriteDigits(destination.Slice(_imeiOffset, 14), key);
    }

    private static void WriteDigits(Span<byte> destination, ulong value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            ulong quotient = value / 10;
            destination[i] = (byte)('0' + (int)(value - quotient * 10));
            value = quotient;
        }
    }

    private int OffsetOf(ReadOnlySpan<byte> part) =>
        (int)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_bytes), ref MemoryMarshal.GetReference(part));
}
