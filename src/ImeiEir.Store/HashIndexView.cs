using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FASTER.core;

namespace ImeiEir.Store;

/// <summary>
/// Where FASTER keeps a store's hash buckets, so a batch can prefetch the bucket of a key it will touch a few
/// operations later. Writes and lookups into a large index are a cache miss and a TLB miss each; issued
/// one by one, the misses are serial. Prefetched ahead, several are in flight at once (the measured gain, for the
/// snapshot bootstrap and for blind writes, is in perf-baselines/prefetch-after-20m.md and bdn-store-writes.md).
/// </summary>
/// <remarks>
/// FASTER does not expose the table, so this reads its internal fields (<c>FasterBase.state</c>,
/// <c>resizeInfo</c>) once per open, for the pinned Microsoft.FASTER.Core version. Should they move in another
/// version, <see cref="IsAvailable"/> is false and prefetching does nothing: a hint is lost, never a record.
/// <c>HashIndexViewTests</c> checks every key lands in the bucket this view computes, so an upgrade that breaks
/// it fails a test rather than slowing down unnoticed. A prefetch never faults, even on a wrong address.
/// </remarks>
internal readonly unsafe struct HashIndexView
{
    private const int BucketShift = 6; // 64-byte buckets

    private readonly byte* _buckets;
    private readonly long _mask;

    private HashIndexView(byte* buckets, long mask)
    {
        _buckets = buckets;
        _mask = mask;
    }

    public bool IsAvailable => _buckets != null;

    /// <summary>The first bucket and the bucket count (a power of two).</summary>
    public byte* Buckets => _buckets;

    public long BucketCount => _buckets == null ? 0 : _mask + 1;

    /// <summary>The bucket FASTER's index uses for <paramref name="key"/> (its default hash of a long key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* BucketOf(long key) => _buckets + ((Utility.GetHashCode(key) & _mask) << BucketShift);

    /// <summary>Starts loading the bucket of <paramref name="key"/> into the cache; returns at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(long key)
    {
        if (Sse.IsSupported && _buckets != null) Sse.Prefetch0(BucketOf(key));
    }

    /// <summary>Reads the view of <paramref name="kv"/>'s current table; unavailable when FASTER's layout is not the expected one.</summary>
    public static HashIndexView Of(FasterBase kv)
    {
        try
        {
            const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Instance;
            object? resize = typeof(FasterBase).GetField("resizeInfo", Internal)?.GetValue(kv);
            object? version = resize?.GetType().GetField("version")?.GetValue(resize);
            if (typeof(FasterBase).GetField("state", Internal)?.GetValue(kv) is not Array state || version is not int v)
                return default;
            object? table = state.GetValue(v);
            Type? type = table?.GetType();
            if (type?.GetField("size_mask")?.GetValue(table) is not long mask
                || type.GetField("tableAligned")?.GetValue(table) is not Pointer aligned)
                return default;
            byte* buckets = (byte*)Pointer.Unbox(aligned);
            return buckets == null || mask < 0 || ((mask + 1) & mask) != 0 ? default : new HashIndexView(buckets, mask);
        }
        catch (Exception e) when (e is MemberAccessException or TargetException or ArgumentException or InvalidCastException)
        {
            return default;
        }
    }

    /// <summary>
    /// Asks Linux to back the (still untouched) table with 2 MiB pages: a 1 GiB index then needs 512 TLB entries
    /// instead of 262,144, so a random bucket access stops paying a page walk. Only for a table that holds nothing
    /// yet: the advised range is also dropped (MADV_DONTNEED), so its next touch faults in a huge zero page.
    /// Returns the bytes advised (0 off Linux, for a small table, or when the kernel refuses). THP set to
    /// <c>never</c> makes this a no-op; <c>madvise</c> (Debian's default) and <c>always</c> honour it.
    /// </summary>
    public long AdviseHugePagesWhileEmpty()
    {
        if (!OperatingSystem.IsLinux() || _buckets == null) return 0;
        const long Huge = 2 * 1024 * 1024;
        long begin = ((long)_buckets + Huge - 1) & ~(Huge - 1);
        long end = ((long)_buckets + (BucketCount << BucketShift)) & ~(Huge - 1);
        if (end <= begin) return 0;
        try
        {
            if (Madvise((nint)begin, (nint)(end - begin), MadvHugePage) != 0) return 0;
            // Only whole 2 MiB pages inside the table's own bytes, all zero so far: dropping them loses nothing.
            return Madvise((nint)begin, (nint)(end - begin), MadvDontNeed) == 0 ? end - begin : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    private const int MadvDontNeed = 4;
    private const int MadvHugePage = 14;

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nint length, int advice);
}
