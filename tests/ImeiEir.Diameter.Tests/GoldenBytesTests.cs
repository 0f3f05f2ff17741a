using System.Text;

namespace ImeiEir.Diameter.Tests;

/// <summary>The example messages from /work/shared/peers (accepted by tshark's dissector) read as expected.</summary>
public sealed class GoldenBytesTests
{
    [Test]
    public void Golden_ECR_parses()
    {
        byte[] ecr = Hex.LoadTestData("ecr.hex");

        Assert.That(FrameScanner.TryScan(ecr, 4096, out DiameterHeader header, out _), Is.EqualTo(FrameStatus.Complete));
        Assert.That(header.MessageLength, Is.EqualTo(ecr.Length));
        Assert.That(S13Messages.TryParseEcr(ecr, out EcrView view, out ProtocolError error), Is.True, error.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(view.Header.IsRequest && view.Header.IsProxiable);
            Assert.That(Encoding.ASCII.GetString(view.Imei), Is.EqualTo("35209900176148"));
            Assert.That(Encoding.ASCII.GetString(view.SoftwareVersion), Is.EqualTo("23"));
            Assert.That(Encoding.ASCII.GetString(view.UserName), Is.EqualTo("001010123456789"));
            Assert.That(view.HasUserName);
            Assert.That(Encoding.ASCII.GetString(view.SessionId), Is.EqualTo("mme.localdomain;1;0"));
            Assert.That(Encoding.ASCII.GetString(view.OriginHost), Is.EqualTo("mme.localdomain"));
            Assert.That(Encoding.ASCII.GetString(view.OriginRealm), Is.EqualTo("localdomain"));
            Assert.That(Encoding.ASCII.GetString(view.DestinationRealm), Is.EqualTo("localdomain"));
            Assert.That(view.AuthSessionState, Is.EqualTo(1u));
        }
    }

    [Test]
    public void Golden_ECA_parses()
    {
        byte[] eca = Hex.LoadTestData("eca.hex");

        Assert.That(S13Messages.TryParseEca(eca, out EcaView view), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(view.Header.IsRequest, Is.False);
            Assert.That(view.ResultCode, Is.EqualTo(ResultCodes.Success));
            Assert.That(view.ExperimentalResultCode, Is.EqualTo(0u));
            Assert.That(view.EquipmentStatus, Is.EqualTo(0));
            Assert.That(view.HasAuthSessionState);
            Assert.That(Encoding.ASCII.GetString(view.SessionId), Is.EqualTo("mme.localdomain;1;0"));
            Assert.That(Encoding.ASCII.GetString(view.OriginHost), Is.EqualTo("eir.localdomain"));
        }
        Assert.That(BaseMessages.TryGetResultCode(eca, out uint resultCode) && resultCode == ResultCodes.Success);
    }

    [Test]
    public void Our_ECA_for_the_golden_ECR_is_byte_for_byte_the_golden_ECA()
    {
        // The golden ECA answers the golden ECR with WHITELISTED; ours must match it exactly (same AVP order).
        byte[] ecr = Hex.LoadTestData("ecr.hex");
        byte[] golden = Hex.LoadTestData("eca.hex");
        var id = new LocalIdentity("eir.localdomain", "localdomain", System.Net.IPAddress.Loopback);
        S13Messages.TryParseEcr(ecr, out EcrView view, out _);

        byte[] buffer = new byte[BaseMessages.MaxAnswerLength(ecr.Length, id)];
        int length = S13Messages.WriteEca(buffer, ecr, view, id, equipmentStatus: 0);

        Assert.That(Hex.Encode(buffer.AsSpan(0, length)), Is.EqualTo(Hex.Encode(golden)));
    }

    [Test]
    public void Our_ECR_with_the_golden_fields_is_byte_for_byte_the_golden_ECR()
    {
        byte[] golden = Hex.LoadTestData("ecr.hex");
        var mme = new LocalIdentity("mme.localdomain", "localdomain", System.Net.IPAddress.Loopback);
        byte[] buffer = new byte[S13Messages.MaxEcrLength(14, 15, 19, mme, 11)];

        int length = S13Messages.WriteEcr(buffer, mme, "mme.localdomain;1;0"u8, "localdomain"u8, default, "35209900176148"u8, "23"u8,
            "001010123456789"u8, 0x0000000a, 0x0000000a);

        Assert.That(Hex.Encode(buffer.AsSpan(0, length)), Is.EqualTo(Hex.Encode(golden)));
    }
}
