using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Diameter.Tests;

/// <summary>What a client puts into an ECR.</summary>
public sealed record EcrCase(string OriginHost, string OriginRealm, string SessionId, string DestinationRealm, string DestinationHost,
    string Imei, string SoftwareVersion, string Imsi, uint HopByHop, uint EndToEnd);

/// <summary>FsCheck generators for Diameter messages.</summary>
internal static class Generators
{
    private const string LabelChars = "abcdefghijklmnopqrstuvwxyz0123456789-";

    // A DiameterIdentity (RFC 6733 §4.3.1): non-empty labels joined by single dots, as DiameterIdentity.IsValid wants.
    public static Gen<string> Identity =>
        from labels in Gen.Choose(1, 4)
        from parts in Gen.ArrayOf(Label, labels)
        select string.Join('.', parts);

    private static Gen<string> Label =>
        from length in Gen.Choose(1, 10)
        from chars in Gen.ArrayOf(Gen.Elements(LabelChars.ToCharArray()), length)
        select new string(chars);

    public static Gen<string> Digits(int min, int max) =>
        from length in Gen.Choose(min, max)
        from chars in Gen.ArrayOf(Gen.Elements("0123456789".ToCharArray()), length)
        select new string(chars);

    public static Gen<string> Optional(Gen<string> gen) => Gen.OneOf(Gen.Constant(string.Empty), gen);

    public static Gen<uint> UInt32 => ArbMap.Default.GeneratorFor<uint>().Select(x => x * 2654435761u);

    public static Gen<EcrCase> EcrCases =>
        from originHost in Identity
        from originRealm in Identity
        from session in Identity.Select(s => s + ";1;" + s.Length)
        from destinationRealm in Identity
        from destinationHost in Optional(Identity)
        from imei in Digits(14, 16)
        from softwareVersion in Optional(Digits(2, 2))
        from imsi in Optional(Digits(5, 15))
        from hopByHop in UInt32
        from endToEnd in UInt32
        select new EcrCase(originHost, originRealm, session, destinationRealm, destinationHost, imei, softwareVersion, imsi, hopByHop, endToEnd);

    public static Gen<LocalIdentity> Identities =>
        from host in Identity
        from realm in Identity
        from v6 in ArbMap.Default.GeneratorFor<bool>()
        from address in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), v6 ? 16 : 4)
        from product in Identity
        from state in UInt32
        from firmware in Gen.OneOf(Gen.Constant(0u), UInt32)
        select new LocalIdentity(host, realm, new IPAddress(address), product, state, firmware);

    public static byte[] WriteEcr(EcrCase c)
    {
        var client = new LocalIdentity(c.OriginHost, c.OriginRealm, IPAddress.Loopback);
        byte[] buffer = new byte[S13Messages.MaxEcrLength(c.Imei.Length + c.SoftwareVersion.Length, c.Imsi.Length, c.SessionId.Length, client,
            c.DestinationRealm.Length + c.DestinationHost.Length)];
        int length = S13Messages.WriteEcr(buffer, client, Utf8(c.SessionId), Utf8(c.DestinationRealm), Utf8(c.DestinationHost), Utf8(c.Imei),
            Utf8(c.SoftwareVersion), Utf8(c.Imsi), c.HopByHop, c.EndToEnd);
        return buffer[..length];
    }

    /// <summary>Valid messages of every kind the library writes.</summary>
    public static Gen<byte[]> ValidMessages => Gen.OneOf(
        EcrCases.Select(WriteEcr),
        from c in EcrCases
        from status in Gen.Choose(0, 2)
        select Answer(WriteEcr(c), (dest, req) =>
        {
            S13Messages.TryParseEcr(req, out EcrView ecr, out _);
            return S13Messages.WriteEca(dest, req, ecr, Peers.Eir, (uint)status);
        }),
        from id in Identities
        from h in UInt32
        select Write(dest => BaseMessages.WriteCer(dest, id, h, ~h)),
        from id in Identities
        from h in UInt32
        select Write(dest => BaseMessages.WriteDwr(dest, id, h, h + 1)),
        from id in Identities
        from cause in Gen.Choose(0, 2)
        select Write(dest => BaseMessages.WriteDpr(dest, id, 1, 2, (uint)cause)));

    public delegate int AnswerWriter(Span<byte> dest, ReadOnlySpan<byte> request);

    public static byte[] Answer(byte[] request, AnswerWriter write)
    {
        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(request.Length, Peers.Eir)];
        return buffer[..write(buffer, request)];
    }

    public static byte[] Write(Func<byte[], int> write)
    {
        byte[] buffer = new byte[4096];
        return buffer[..write(buffer)];
    }

    /// <summary>A valid message damaged once: a bit flipped, bytes inserted or deleted, or truncated.</summary>
    public static Gen<byte[]> Mutated(Gen<byte[]> messages) =>
        from message in messages
        from kind in Gen.Choose(0, 3)
        from position in Gen.Choose(0, message.Length - 1)
        from bit in Gen.Choose(0, 7)
        from count in Gen.Choose(1, 8)
        from junk in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), count)
        select kind switch
        {
            0 => Flip(message, position, bit),
            1 => [.. message[..position], .. junk, .. message[position..]],
            2 => [.. message[..position], .. message[Math.Min(message.Length, position + count)..]],
            _ => message[..position],
        };

    /// <summary>A valid message with its header kept consistent (length patched) but the body damaged.</summary>
    public static Gen<byte[]> BodyMutated(Gen<byte[]> messages) =>
        from message in Mutated(messages)
        select PatchLength(message);

    private static byte[] Flip(byte[] message, int position, int bit)
    {
        byte[] copy = (byte[])message.Clone();
        copy[position] ^= (byte)(1 << bit);
        return copy;
    }

    private static byte[] PatchLength(byte[] message)
    {
        if (message.Length < 20)
        {
            return message;
        }

        byte[] padded = new byte[(message.Length + 3) & ~3];
        message.CopyTo(padded, 0);
        padded[0] = 1;
        padded[1] = (byte)(padded.Length >> 16);
        padded[2] = (byte)(padded.Length >> 8);
        padded[3] = (byte)padded.Length;
        return padded;
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);
}
