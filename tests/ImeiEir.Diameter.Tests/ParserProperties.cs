using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Diameter.Tests;

/// <summary>docs/ARCHITECTURE.md, convention 14: the fast AVP reader agrees with the reference; parsers never throw on damaged input.</summary>
public sealed class ParserProperties
{
    private static Gen<byte[]> Bodies => Gen.OneOf(
        ArbMap.Default.GeneratorFor<byte[]>(),
        Generators.ValidMessages.Select(m => m[20..]),
        Generators.Mutated(Generators.ValidMessages).Select(m => m.Length > 20 ? m[20..] : m));

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property AVP_reader_agrees_with_the_reference_parser() => Prop.ForAll(Bodies.ToArbitrary(), bytes =>
    {
        RefParse expected = ReferenceAvpParser.Parse(bytes);
        var actual = new List<RefAvp>();
        var reader = new AvpReader(bytes);
        AvpReadStatus status;
        int position = 0;
        while ((status = reader.Read(out Avp avp)) == AvpReadStatus.Ok)
        {
            actual.Add(new RefAvp(avp.Offset, avp.Code, avp.Flags, avp.VendorId, avp.Data.ToArray(), avp.Raw.ToArray()));
            position = reader.Position;
        }

        bool sameAvps = actual.Count == expected.Avps.Count && actual.Zip(expected.Avps).All(p =>
            p.First.Offset == p.Second.Offset && p.First.Code == p.Second.Code && p.First.Flags == p.Second.Flags
            && p.First.VendorId == p.Second.VendorId && p.First.Data.SequenceEqual(p.Second.Data) && p.First.Raw.SequenceEqual(p.Second.Raw));
        bool sameEnd = expected.ErrorOffset is int at
            ? status == AvpReadStatus.InvalidLength && reader.Position == at
            : status == AvpReadStatus.End;
        return (sameAvps && sameEnd).Label($"avps {actual.Count}/{expected.Avps.Count}, status {status}, last ok {position}");
    });

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Try_parse_ECR_never_throws_and_every_refusal_has_a_well_formed_answer() => Prop.ForAll(
        Gen.OneOf(Generators.Mutated(Generators.ValidMessages), Generators.BodyMutated(Generators.ValidMessages),
            Generators.BodyMutated(Gen.Constant(Hex.LoadGolden("ecr.hex")))).ToArbitrary(),
        message =>
        {
            if (S13Messages.TryParseEcr(message, out EcrView ecr, out ProtocolError error))
            {
                return error.ResultCode == 0 && !ecr.OriginHost.IsEmpty;
            }

            if (message.Length < 20)
            {
                return error.ResultCode == ResultCodes.InvalidMessageLength;
            }

            byte[] answer = Peers.ErrorAnswer(message, error);
            DiameterHeader.TryRead(answer, out DiameterHeader header);
            var avps = ReferenceAvpParser.MessageAvps(answer); // asserts the answer's AVPs delimit
            return header.MessageLength == answer.Length && !header.IsRequest && header.IsError == error.IsProtocolError
                && avps.Single(AvpCodes.ResultCode).UInt32 == error.ResultCode
                && (avps.Find(AvpCodes.FailedAvp) is null || ReferenceAvpParser.Parse(avps.Single(AvpCodes.FailedAvp).Data).ErrorOffset is null);
        });

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Try_parse_CER_never_throws() => Prop.ForAll(
        Gen.OneOf(
            Generators.Mutated(Generators.Identities.Select(id => Generators.Write(d => BaseMessages.WriteCer(d, id, 1, 2)))),
            Generators.BodyMutated(Generators.Identities.Select(id => Generators.Write(d => BaseMessages.WriteCer(d, id, 1, 2))))).ToArbitrary(),
        message =>
        {
            bool ok = BaseMessages.TryParseCer(message, out _, out ProtocolError error);
            if (!ok && message.Length >= 20)
            {
                byte[] buffer = new byte[BaseMessages.MaxAnswerLength(message.Length, Peers.Eir)];
                int length = BaseMessages.WriteCea(buffer, message, Peers.Eir, error);
                ReferenceAvpParser.MessageAvps(buffer[..length]);
            }

            return ok == (error.ResultCode == 0);
        });

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Try_parse_DWR_and_DPR_never_throw_and_their_error_answers_delimit() => Prop.ForAll(
        Gen.OneOf(
            Generators.Mutated(Generators.Identities.Select(id => Generators.Write(d => BaseMessages.WriteDwr(d, id, 1, 2)))),
            Generators.BodyMutated(Generators.Identities.Select(id => Generators.Write(d => BaseMessages.WriteDwr(d, id, 1, 2)))),
            Generators.BodyMutated(Generators.Identities.Select(id => Generators.Write(d => BaseMessages.WriteDpr(d, id, 1, 2, 0))))).ToArbitrary(),
        message =>
        {
            bool dwr = BaseMessages.TryParseDwr(message, out ProtocolError dwrError);
            bool dpr = BaseMessages.TryParseDpr(message, out _, out ProtocolError dprError);
            if (message.Length >= 20)
            {
                byte[] buffer = new byte[BaseMessages.MaxAnswerLength(message.Length, Peers.Eir)];
                if (!dwr)
                    ReferenceAvpParser.MessageAvps(buffer[..BaseMessages.WriteDwa(buffer, message, Peers.Eir, dwrError)]);
                if (!dpr)
                    ReferenceAvpParser.MessageAvps(buffer[..BaseMessages.WriteDpa(buffer, message, Peers.Eir, dprError)]);
            }

            return dwr == (dwrError.ResultCode == 0) && dpr == (dprError.ResultCode == 0);
        });

    [FsCheck.NUnit.Property(MaxTest = 500)]
    public Property Client_parsers_never_throw() => Prop.ForAll(
        Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>(), Generators.Mutated(Generators.ValidMessages),
            Generators.BodyMutated(Gen.Constant(Hex.LoadGolden("eca.hex")))).ToArbitrary(),
        message =>
        {
            S13Messages.TryParseEca(message, out _);
            BaseMessages.TryParseCea(message, out _);
            BaseMessages.TryGetResultCode(message, out _);
            BaseMessages.TryGetDisconnectCause(message, out _);
            return true;
        });
}
