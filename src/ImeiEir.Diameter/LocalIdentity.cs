using System.Net;
using System.Text;

namespace ImeiEir.Diameter;

/// <summary>
/// Who this node is on the Diameter network. Built once at start-up; the AVPs that never change are encoded here
/// once so answers copy bytes instead of encoding strings per message (docs/ARCHITECTURE.md, convention 5).
/// </summary>
public sealed class LocalIdentity
{
    // Bytes of an answer that are neither copied from the request nor in OriginAvps / CapabilityAvps:
    // header 20, Result-Code 12, Experimental-Result 32, Auth-Session-State 12, VSAI 32, Equipment-Status 16,
    // Origin-State-Id 12, Failed-AVP header 8 + grouped parent header 12 + a zero-filled example / AVP header
    // (at most 12 + 8), Session-Id header 12, and slack for the padding of copied AVPs.
    private const int FixedAnswerOverhead = 20 + 12 + 32 + 12 + 32 + 16 + 12 + 8 + 12 + 20 + 12 + 64;

    /// <summary>Creates the identity and pre-encodes its AVPs.</summary>
    /// <param name="originHost">Origin-Host, this node's DiameterIdentity (FQDN), e.g. <c>eir.localdomain</c>.</param>
    /// <param name="originRealm">Origin-Realm, e.g. <c>localdomain</c>.</param>
    /// <param name="hostIpAddress">Host-IP-Address advertised in CER / CEA (RFC 6733 §5.3.5).</param>
    /// <param name="productName">Product-Name (RFC 6733 §5.3.7).</param>
    /// <param name="originStateId">Origin-State-Id, increased on every restart (RFC 6733 §8.16); 0 = omitted.</param>
    /// <param name="firmwareRevision">Firmware-Revision (RFC 6733 §5.3.4); 0 = omitted.</param>
    public LocalIdentity(string originHost, string originRealm, IPAddress hostIpAddress, string productName = "ImeiEir",
        uint originStateId = 0, uint firmwareRevision = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(originHost);
        ArgumentException.ThrowIfNullOrEmpty(originRealm);
        ArgumentNullException.ThrowIfNull(hostIpAddress);
        ArgumentNullException.ThrowIfNull(productName);

        OriginHost = originHost;
        OriginRealm = originRealm;
        HostIpAddress = hostIpAddress;
        ProductName = productName;
        OriginStateId = originStateId;
        FirmwareRevision = firmwareRevision;

        byte[] host = Encoding.UTF8.GetBytes(originHost);
        byte[] realm = Encoding.UTF8.GetBytes(originRealm);
        byte[] product = Encoding.UTF8.GetBytes(productName);

        OriginAvps = Encode(512 + host.Length + realm.Length, (ref MessageWriter w) =>
        {
            w.WriteAvp(AvpCodes.OriginHost, AvpFlags.Mandatory, 0, host);
            w.WriteAvp(AvpCodes.OriginRealm, AvpFlags.Mandatory, 0, realm);
        });

        OriginStateIdAvp = originStateId == 0 ? ReadOnlyMemory<byte>.Empty : Encode(16, (ref MessageWriter w) =>
            w.WriteUInt32Avp(AvpCodes.OriginStateId, AvpFlags.Mandatory, 0, originStateId));

        // RFC 6733 §5.3.1 / §5.3.2: CER and CEA carry the same capability AVPs. S13 is advertised the way peers
        // expect it (docs/ARCHITECTURE.md, "Diameter S13 wire facts"): Supported-Vendor-Id 10415 and VSAI {10415, 16777252}.
        CapabilityAvps = Encode(512 + product.Length, (ref MessageWriter w) =>
        {
            w.WriteAddressAvp(AvpCodes.HostIpAddress, AvpFlags.Mandatory, hostIpAddress);
            // Vendor-Id 0: this product has no IANA enterprise number of its own (RFC 6733 §5.3.3 allows 0).
            w.WriteUInt32Avp(AvpCodes.VendorId, AvpFlags.Mandatory, 0, VendorIds.Ietf);
            // Product-Name and Firmware-Revision MUST NOT have the M bit (RFC 6733 §4.5 table).
            w.WriteAvp(AvpCodes.ProductName, 0, 0, product);
            if (originStateId != 0)
            {
                w.WriteUInt32Avp(AvpCodes.OriginStateId, AvpFlags.Mandatory, 0, originStateId);
            }

            w.WriteUInt32Avp(AvpCodes.SupportedVendorId, AvpFlags.Mandatory, 0, VendorIds.ThreeGpp);
            w.WriteRaw(WireConstants.S13VendorSpecificApplicationId);
            if (firmwareRevision != 0)
            {
                w.WriteUInt32Avp(AvpCodes.FirmwareRevision, 0, 0, firmwareRevision);
            }
        });

        MaxAnswerOverhead = FixedAnswerOverhead + OriginAvps.Length + CapabilityAvps.Length;
    }

    private delegate void EncodeAction(ref MessageWriter writer);

    /// <summary>Origin-Host as configured.</summary>
    public string OriginHost { get; }

    /// <summary>Origin-Realm as configured.</summary>
    public string OriginRealm { get; }

    /// <summary>Host-IP-Address as configured.</summary>
    public IPAddress HostIpAddress { get; }

    /// <summary>Product-Name as configured.</summary>
    public string ProductName { get; }

    /// <summary>Origin-State-Id; 0 = not sent.</summary>
    public uint OriginStateId { get; }

    /// <summary>Firmware-Revision; 0 = not sent.</summary>
    public uint FirmwareRevision { get; }

    /// <summary>Origin-Host and Origin-Realm AVPs, encoded and padded.</summary>
    public ReadOnlyMemory<byte> OriginAvps { get; }

    /// <summary>
    /// The capability AVPs of CER / CEA (RFC 6733 §5.3.1 / §5.3.2), encoded and padded:
    /// Host-IP-Address, Vendor-Id 0, Product-Name, [Origin-State-Id], Supported-Vendor-Id 10415,
    /// Vendor-Specific-Application-Id {Vendor-Id 10415, Auth-Application-Id 16777252}, [Firmware-Revision].
    /// </summary>
    public ReadOnlyMemory<byte> CapabilityAvps { get; }

    /// <summary>Upper bound on the bytes of any answer that are not copied from the request (see <see cref="BaseMessages.MaxAnswerLength"/>).</summary>
    public int MaxAnswerOverhead { get; }

    /// <summary>Origin-State-Id AVP for DWR / DWA, or empty when <see cref="OriginStateId"/> is 0.</summary>
    internal ReadOnlyMemory<byte> OriginStateIdAvp { get; }

    private static byte[] Encode(int capacity, EncodeAction encode)
    {
        byte[] buffer = new byte[capacity];
        var writer = new MessageWriter(buffer);
        encode(ref writer);
        return buffer[..writer.Position];
    }
}
