namespace ImeiEir.Diameter.Tests;

/// <summary>Builds ECRs AVP by AVP (with the test-side encoder) so a test can drop, repeat or corrupt one.</summary>
internal sealed class EcrBuilder
{
    public const string SessionId = "mme.localdomain;1;0";
    public const string Imei = "35209900176148";
    public const string Imsi = "001010123456789";
    public const uint HopByHop = 0x11223344;
    public const uint EndToEnd = 0x55667788;

    private readonly List<(string Name, byte[] Bytes)> _avps = [];

    public byte Flags { get; set; } = DiameterFlags.Request | DiameterFlags.Proxiable;

    public uint Command { get; set; } = CommandCodes.MeIdentityCheck;

    public uint Application { get; set; } = ApplicationIds.S13;

    public static byte[] ImeiAvp => TestAvp.Tgpp(AvpCodes.Imei, Imei);

    public static byte[] SoftwareVersionAvp => TestAvp.Tgpp(AvpCodes.SoftwareVersion, "23");

    public static EcrBuilder Valid() => new EcrBuilder()
        .Add("Session-Id", TestAvp.Utf8(AvpCodes.SessionId, SessionId))
        .Add("VSAI", TestAvp.Grouped(AvpCodes.VendorSpecificApplicationId, AvpFlags.Mandatory, 0,
            TestAvp.U32(AvpCodes.VendorId, VendorIds.ThreeGpp), TestAvp.U32(AvpCodes.AuthApplicationId, ApplicationIds.S13)))
        .Add("Auth-Session-State", TestAvp.U32(AvpCodes.AuthSessionState, 1))
        .Add("Origin-Host", TestAvp.Utf8(AvpCodes.OriginHost, "mme.localdomain"))
        .Add("Origin-Realm", TestAvp.Utf8(AvpCodes.OriginRealm, "localdomain"))
        .Add("Destination-Realm", TestAvp.Utf8(AvpCodes.DestinationRealm, "localdomain"))
        .Add("Terminal-Information", TerminalInformation(ImeiAvp, SoftwareVersionAvp))
        .Add("User-Name", TestAvp.Utf8(AvpCodes.UserName, Imsi));

    public static byte[] TerminalInformation(params byte[][] children) =>
        TestAvp.Grouped(AvpCodes.TerminalInformation, AvpFlags.VendorMandatory, VendorIds.ThreeGpp, children);

    public EcrBuilder Add(string name, byte[] avp)
    {
        _avps.Add((name, avp));
        return this;
    }

    public EcrBuilder Without(string name)
    {
        _avps.RemoveAll(a => a.Name == name);
        return this;
    }

    public EcrBuilder Replace(string name, byte[] avp)
    {
        int index = _avps.FindIndex(a => a.Name == name);
        _avps[index] = (name, avp);
        return this;
    }

    public byte[] Get(string name) => _avps.Single(a => a.Name == name).Bytes;

    /// <summary>Offset in the built message of the named AVP.</summary>
    public int OffsetOf(string name) => 20 + _avps.TakeWhile(a => a.Name != name).Sum(a => a.Bytes.Length);

    public byte[] Build() => TestAvp.Message(Flags, Command, Application, HopByHop, EndToEnd, _avps.Select(a => a.Bytes));
}
