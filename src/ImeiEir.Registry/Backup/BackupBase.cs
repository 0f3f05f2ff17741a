using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// The base section of a version-3 backup (<see cref="BackupFormat"/>): every record of the view whose last change
/// is before the log's first retained change F, as a 40-byte change carrying the record's own number and state
/// (time 0: the change itself is gone), so a restore rebuilds those records that the log can no longer replay.
/// </summary>
internal static class BackupBase
{
    /// <summary>Writes the records set before <paramref name="first"/> to <paramref name="path"/>; returns how many.</summary>
    public static ulong Write(RegistryView view, ulong first, string path)
    {
        ulong count = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> bytes = stackalloc byte[ChangeCodec.Size];
        foreach ((Imei imei, ImeiRecord record) in view.Scan())
        {
            if (record.Sequence == 0 || record.Sequence >= first) continue;
            ChangeCodec.Write(ToChange(imei, record), bytes);
            file.Write(bytes);
            count++;
        }
        file.Flush();
        return count;
    }

    /// <summary>The change that leaves <paramref name="record"/> (a tombstone: a removal).</summary>
    public static Change ToChange(Imei imei, in ImeiRecord record) => new()
    {
        Sequence = record.Sequence,
        ImeiKey = imei.Key,
        Op = record.List == ListKind.None ? ChangeOp.Remove : ChangeOp.Set,
        List = record.List,
        Reason = record.Reason,
        DeadlineUnixSeconds = record.List == ListKind.Grey ? record.DeadlineUnixSeconds : 0,
        Origin = ChangeOrigin.Admin,
    };
}
