using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ImeiEir.Node.Configuration;

/// <summary>
/// The node's service-based interface for the 5G core (configuration section <c>Sbi</c>): N5g-eir over HTTP/2, as
/// TS 29.500 §5.2 requires of SBI. Without a certificate it is cleartext HTTP/2 with prior knowledge (h2c, RFC 9113
/// §3.3) only; with one, TLS with ALPN offering h2 and http/1.1. Its own port because Kestrel chooses the protocol
/// of a cleartext connection from the endpoint alone (no ALPN), so one port cannot take both HTTP/1.1 and h2c;
/// N5g-eir keeps answering HTTP/1.1 on the HTTP port as well.
/// </summary>
public sealed class SbiOptions
{
    public const string Section = "Sbi";

    /// <summary>Address to listen on. Default 127.0.0.1; set 0.0.0.0 (or a NIC address) to serve the core network's AMFs.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// TCP port. Default 7777: 3GPP fixes no port for an NF's API root (TS 29.501 §4.4: the AMF learns it from the
    /// NRF or its configuration), 80/443 need privileges, and 7777 is the SBI port open-source 5G cores (Open5GS) give
    /// every NF, so an AMF set up that way needs only the EIR's address. 0 picks a free port, announced on stdout as
    /// <c>sbi=</c>.
    /// </summary>
    public int Port { get; set; } = 7777;

    /// <summary>
    /// The server certificate, which turns on TLS: a PEM file (then <see cref="CertificateKeyPath"/> names its key,
    /// unless the key is in the same file) or a PKCS#12 file (.pfx/.p12, key inside). Default none: h2c.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>. Default none: the key is in the certificate file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key. Default none.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>True when a certificate is configured: TLS (h2 and http/1.1 by ALPN) instead of h2c.</summary>
    public bool UsesTls => !string.IsNullOrEmpty(CertificatePath);

    /// <summary>Loads the configured certificate with its private key; throws when it cannot.</summary>
    public X509Certificate2 LoadCertificate()
    {
        string path = CertificatePath ?? throw new InvalidOperationException($"{Section}:CertificatePath is not set");
        string extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            return X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword);
        string? keyPath = string.IsNullOrEmpty(CertificateKeyPath) ? null : CertificateKeyPath;
        return string.IsNullOrEmpty(CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, CertificatePassword, keyPath);
    }

    /// <summary>One <c>"Sbi:Key: problem"</c> line per problem; none when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!System.Net.IPAddress.TryParse(Host, out _))
            yield return $"{Section}:Host: '{Host}' is not an IP address";
        if (Port is < 0 or > 65535)
            yield return $"{Section}:Port: {Port} is not a port number (0-65535)";
        if (!UsesTls)
        {
            if (!string.IsNullOrEmpty(CertificateKeyPath))
                yield return $"{Section}:CertificateKeyPath: set without {Section}:CertificatePath";
            yield break;
        }
        if (!File.Exists(CertificatePath))
        {
            yield return $"{Section}:CertificatePath: '{CertificatePath}' does not exist";
            yield break;
        }
        if (!string.IsNullOrEmpty(CertificateKeyPath) && !File.Exists(CertificateKeyPath))
        {
            yield return $"{Section}:CertificateKeyPath: '{CertificateKeyPath}' does not exist";
            yield break;
        }
        string? problem = null;
        try
        {
            using X509Certificate2 certificate = LoadCertificate();
            if (!certificate.HasPrivateKey)
                problem = $"{Section}:CertificatePath: '{CertificatePath}' has no private key (set {Section}:CertificateKeyPath)";
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            problem = $"{Section}:CertificatePath: cannot load '{CertificatePath}': {e.Message.ReplaceLineEndings(" ")}";
        }
        if (problem is not null)
            yield return problem;
    }
}
