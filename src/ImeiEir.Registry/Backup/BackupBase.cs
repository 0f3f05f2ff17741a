using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Registry;

/// <summary>
/// The base section of a version-3 backup (<see cref="BackupFormat"/>): every record of the view whose last change
/// is before the log's first retained change F, as a 40-byte change carrying the record's own number and state
/// (time 0: the change itself is gone), so a restore rebuilds those records that the log can no longer replay.
/// A paired record (docs/ARCHITECTURE.md, rule 2a) is preceded by one pair change per rightful IMSI, with the
/// record's number: the restore adds them to the pair table and the record that follows keeps them.
/// </summary>
internal static class BackupBase
{
    /// <summary>Writes the records set before <paramref name="first"/> to <paramref name="path"/>; returns how many.</summary>
    public static ulong Write(RegistryView view, ulong first, string path)
    {
        ulong count = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> bytes = stackalloc byte[ChangeCodec.Size];
        Span<PackedImsi> pairs = stackalloc PackedImsi[PairTable.MaxPairs];
        foreach ((Imei imei, ImeiRecord record) in view.Scan())
        {
            if (record.Sequence == 0 || record.Sequence >= first) continue;
            int paired = record.IsPaired ? view.GetPairs(imei, pairs) : 0;
            for (int i = 0; i < paired; i++)
            {
                ChangeCodec.Write(new Change { Sequence = record.Sequence, ImeiKey = imei.Key, Op = ChangeOp.Pair, Imsi = pairs[i], Origin = ChangeOrigin.Admin }, bytes);
                file.Write(bytes);
                count++;
            }
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
