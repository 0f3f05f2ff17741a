using System.Net;

namespace ImeiEir.Tools.EirCtl;

/// <summary>
/// Another request's content, sent again as it is and left undisposed: its request owns it. Lets a request whose
/// connection was refused (nothing read from its content) go to the next registry, since a request is sent once.
/// </summary>
internal sealed class SharedContent : HttpContent
{
    private readonly HttpContent _inner;

    public SharedContent(HttpContent inner)
    {
        _inner = inner;
        foreach (KeyValuePair<string, IEnumerable<string>> header in inner.Headers)
        {
            // The length is the inner content's, asked for below; copied too, it would be given twice.
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        _inner.CopyToAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        long? known = _inner.Headers.ContentLength;
        length = known ?? 0;
        return known.HasValue;
    }

    // No Dispose override: the inner content is its own request's to dispose.
}
