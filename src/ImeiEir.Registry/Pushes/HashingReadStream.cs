using System.Security.Cryptography;

namespace ImeiEir.Registry;

/// <summary>
/// Reads through to another stream and hashes (SHA-256) every byte read, so a push's body is fingerprinted while
/// it is parsed, without holding it: a retry of an idempotency key must carry the same body.
/// </summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>The hash of the bytes read so far, prefixed with <paramref name="context"/> (e.g. the media type and flags).</summary>
    public async Task<string> FinishAsync(string context, CancellationToken ct)
    {
        // Read whatever the parser left unread, so the hash covers the whole body.
        var rest = new byte[8192];
        int n;
        while ((n = await inner.ReadAsync(rest, ct).ConfigureAwait(false)) > 0) _hash.AppendData(rest, 0, n);
        _hash.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + context));
        return Convert.ToHexString(_hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
