using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Diameter.Tests;

/// <summary>docs/ARCHITECTURE.md, convention 14: encode → decode is identity, for every message the library writes.</summary>
public sealed class RoundTripProperties
{
    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property ECR_round_trips() => Prop.ForAll(Generators.EcrCases.ToArbitrary(), c =>
    {
        byte[] ecr = Generators.WriteEcr(c);
        bool parsed = S13Messages.TryParseEcr(ecr, out EcrView view, out ProtocolError error);
        return parsed && error.ResultCode == 0
            && view.Header.IsRequest && view.Header.IsProxiable && view.Header.HopByHopId == c.HopByHop && view.Header.EndToEndId == c.EndToEnd
            && Text(view.SessionId) == c.SessionId && Text(view.OriginHost) == c.OriginHost && Text(view.OriginRealm) == c.OriginRealm
            && Text(view.DestinationRealm) == c.DestinationRealm && Text(view.DestinationHost) == c.DestinationHost
            && Text(view.Imei) == c.Imei && Text(view.SoftwareVersion) == c.SoftwareVersion
            && Text(view.UserName) == c.Imsi && view.HasUserName == (c.Imsi.Length > 0) && view.AuthSessionState == 1
            && ReferenceAvpParser.MessageAvps(ecr).Count > 0;
    });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property ECA_round_trips() => Prop.ForAll(
        (from c in Generators.EcrCases from status in Gen.Choose(0, 2) from id in Generators.Identities select (c, status, id)).ToArbitrary(),
        t =>
        {
            byte[] ecr = Generators.WriteEcr(t.c);
            S13Messages.TryParseEcr(ecr, out EcrView request, out _);
            byte[] buffer = new byte[BaseMessages.MaxAnswerLength(ecr.Length, t.id)];
            int length = S13Messages.WriteEca(buffer, ecr, request, t.id, (uint)t.status);

            return S13Messages.TryParseEca(buffer.AsSpan(0, length), out EcaView eca)
                && IsAnswerTo(eca.Header, ecr, length, error: false)
                && Text(eca.SessionId) == t.c.SessionId && eca.ResultCode == ResultCodes.Success && eca.ExperimentalResultCode == 0
                && eca.EquipmentStatus == t.status && eca.HasAuthSessionState
                && Text(eca.OriginHost) == t.id.OriginHost && Text(eca.OriginRealm) == t.id.OriginRealm && eca.FailedAvp.IsEmpty;
        });

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property ECA_experimental_round_trips() => Prop.ForAll(
        (from c in Generators.EcrCases from code in Gen.Choose(5000, 5999) select (c, code)).ToArbitrary(),
        t =>
        {
            byte[] ecr = Generators.WriteEcr(t.c);
            S13Messages.TryParseEcr(ecr, out EcrView request, out _);
            byte[] buffer = new byte[BaseMessages.MaxAnswerLength(ecr.Length, Peers.Eir)];
            int length = S13Messages.WriteEcaExperimental(buffer, ecr, request, Peers.Eir, (uint)t.code);

            return S13Messages.TryParseEca(buffer.AsSpan(0, length), out EcaView eca)
                && IsAnswerTo(eca.Header, ecr, length, error: false)
                && Text(eca.SessionId) == t.c.SessionId && eca.ResultCode == 0 && eca.ExperimentalResultCode == (uint)t.code
                && eca.EquipmentStatus == -1 && eca.HasAuthSessionState;
        });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Error_answers_round_trip() => Prop.ForAll(
        (from c in Generators.EcrCases
         from code in Gen.Elements(ResultCodes.CommandUnsupported, ResultCodes.TooBusy, ResultCodes.ApplicationUnsupported,
             ResultCodes.InvalidHeaderBits, ResultCodes.UnableToComply, ResultCodes.InvalidAvpValue)
         select (c, code)).ToArbitrary(),
        t =>
        {
            byte[] ecr = Generators.WriteEcr(t.c);
            byte[] buffer = new byte[BaseMessages.MaxAnswerLength(ecr.Length, Peers.Eir)];
            int length = S13Messages.WriteError(buffer, ecr, Peers.Eir, ProtocolError.FromResultCode(t.code));
            bool protocolError = ResultCodes.IsProtocolError(t.code);

            return S13Messages.TryParseEca(buffer.AsSpan(0, length), out EcaView eca)
                && IsAnswerTo(eca.Header, ecr, length, protocolError)
                && Text(eca.SessionId) == t.c.SessionId && eca.ResultCode == t.code && eca.HasAuthSessionState == !protocolError
                && BaseMessages.TryGetResultCode(buffer.AsSpan(0, length), out uint rc) && rc == t.code;
        });

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property CER_and_CEA_round_trip() => Prop.ForAll(
        (from client in Generators.Identities from server in Generators.Identities from h in Generators.UInt32
         from code in Gen.Elements(ResultCodes.Success, ResultCodes.NoCommonApplication, ResultCodes.UnableToComply)
         select (client, server, h, code)).ToArbitrary(),
        t =>
        {
            byte[] cer = Generators.Write(dest => BaseMessages.WriteCer(dest, t.client, t.h, ~t.h));
            if (!BaseMessages.TryParseCer(cer, out CerView view, out _)
                || Text(view.OriginHost) != t.client.OriginHost || Text(view.OriginRealm) != t.client.OriginRealm
                || !view.SupportsS13 || view.OriginStateId != t.client.OriginStateId || Text(view.ProductName) != t.client.ProductName
                || !view.Header.IsRequest || view.Header.HopByHopId != t.h)
            {
                return false;
            }

            DiameterHeader header = view.Header;
            byte[] cea = Generators.Write(dest => BaseMessages.WriteCea(dest, header, t.server, t.code));
            var avps = ReferenceAvpParser.MessageAvps(cea);
            return BaseMessages.TryParseCea(cea, out CeaView answer)
                && IsAnswerTo(answer.Header, cer, cea.Length, error: false)
                && answer.ResultCode == t.code && answer.SupportsS13
                && Text(answer.OriginHost) == t.server.OriginHost && Text(answer.OriginRealm) == t.server.OriginRealm
                && answer.OriginStateId == t.server.OriginStateId
                && avps.Single(AvpCodes.HostIpAddress).Data.SequenceEqual(AddressData(t.server))
                && avps.Single(AvpCodes.SupportedVendorId).UInt32 == VendorIds.ThreeGpp
                && (t.server.FirmwareRevision == 0 ? avps.Find(AvpCodes.FirmwareRevision) is null
                    : avps.Single(AvpCodes.FirmwareRevision).UInt32 == t.server.FirmwareRevision);
        });

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property DWR_and_DWA_round_trip() => Prop.ForAll(
        (from client in Generators.Identities from server in Generators.Identities from h in Generators.UInt32
         select (client, server, h)).ToArbitrary(),
        t =>
        {
            byte[] dwr = Generators.Write(dest => BaseMessages.WriteDwr(dest, t.client, t.h, t.h ^ 0xFFFF));
            var request = ReferenceAvpParser.MessageAvps(dwr);
            DiameterHeader.TryRead(dwr, out DiameterHeader header);
            byte[] dwa = Generators.Write(dest => BaseMessages.WriteDwa(dest, header, t.server));
            var answer = ReferenceAvpParser.MessageAvps(dwa);
            DiameterHeader.TryRead(dwa, out DiameterHeader answerHeader);

            return header.IsRequest && header.CommandCode == CommandCodes.DeviceWatchdog && header.HopByHopId == t.h
                && request.Single(AvpCodes.OriginHost).Text == t.client.OriginHost
                && (t.client.OriginStateId == 0 ? request.Find(AvpCodes.OriginStateId) is null
                    : request.Single(AvpCodes.OriginStateId).UInt32 == t.client.OriginStateId)
                && IsAnswerTo(answerHeader, dwr, dwa.Length, error: false)
                && BaseMessages.TryGetResultCode(dwa, out uint rc) && rc == ResultCodes.Success
                && answer.Single(AvpCodes.OriginRealm).Text == t.server.OriginRealm;
        });

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property DPR_and_DPA_round_trip() => Prop.ForAll(
        (from client in Generators.Identities from cause in Gen.Choose(0, 2) from code in Gen.Elements(ResultCodes.Success, ResultCodes.UnableToDeliver)
         select (client, cause, code)).ToArbitrary(),
        t =>
        {
            byte[] dpr = Generators.Write(dest => BaseMessages.WriteDpr(dest, t.client, 3, 4, (uint)t.cause));
            DiameterHeader.TryRead(dpr, out DiameterHeader header);
            byte[] dpa = Generators.Write(dest => BaseMessages.WriteDpa(dest, header, Peers.Eir, t.code));
            DiameterHeader.TryRead(dpa, out DiameterHeader answerHeader);

            return header.IsRequest && header.CommandCode == CommandCodes.DisconnectPeer
                && BaseMessages.TryGetDisconnectCause(dpr, out uint cause) && cause == (uint)t.cause
                && ReferenceAvpParser.MessageAvps(dpr).Single(AvpCodes.OriginHost).Text == t.client.OriginHost
                && IsAnswerTo(answerHeader, dpr, dpa.Length, error: ResultCodes.IsProtocolError(t.code))
                && BaseMessages.TryGetResultCode(dpa, out uint rc) && rc == t.code;
        });

    // RFC 6733 §6.2: the answer keeps command, application and both ids, copies P, clears R; E only for 3xxx.
    private static bool IsAnswerTo(in DiameterHeader answer, byte[] request, int answerLength, bool error)
    {
        DiameterHeader.TryRead(request, out DiameterHeader r);
        return answer.Version == 1 && answer.MessageLength == answerLength && answerLength % 4 == 0
            && !answer.IsRequest && answer.IsProxiable == r.IsProxiable && answer.IsError == error && !answer.HasReservedBits
            && answer.CommandCode == r.CommandCode && answer.ApplicationId == r.ApplicationId
            && answer.HopByHopId == r.HopByHopId && answer.EndToEndId == r.EndToEndId;
    }

    private static byte[] AddressData(LocalIdentity id) =>
        [0, (byte)(id.HostIpAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 2 : 1), .. id.HostIpAddress.GetAddressBytes()];

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
