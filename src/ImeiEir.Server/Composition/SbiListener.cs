using System.Net;
using ImeiEir.Node.Configuration;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImeiEir.Server.Composition;

/// <summary>The SBI listener: N5g-eir over HTTP/2 (TS 29.500 §5.2), cleartext h2c or TLS.</summary>
internal static class SbiListener
{
    public static void ListenSbi(this KestrelServerOptions kestrel, SbiOptions options, Action<ListenOptions> bound) =>
        kestrel.Listen(IPAddress.Parse(options.Host), options.Port, listen =>
        {
            if (options.UsesTls)
            {
                // ALPN picks h2 for an AMF, http/1.1 for a client that offers only that; Kestrel's TLS defaults (1.2, 1.3).
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(options.LoadCertificate());
            }
            else
            {
                // Cleartext with prior knowledge (RFC 9113 §3.3): a connection must open with the HTTP/2 preface.
                listen.Protocols = HttpProtocols.Http2;
            }
            bound(listen);
        });
}
