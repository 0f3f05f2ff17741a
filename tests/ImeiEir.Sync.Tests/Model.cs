using System.Security.Cryptography;
using ImeiEir.Core;
using ImeiEir.Store;

namespace ImeiEir.Sync.Tests;

/// <summary>The reference: live records after applying changes once, in order; and digests to compare stores with it.</summary>
internal static class Model
{
    public static SortedDictionary<ulong, ImeiRecord> Apply(IEnumerable<Change> changes)
    {
        var state = new SortedDictionary<ulong, ImeiRecord>();
        foreach (Change change in changes)
        {
            if (change.Op == ChangeOp.Remove) state.Remove(change.ImeiKey);
            else state[change.ImeiKey] = change.ToRecord();
        }
        return state;
    }

    /// <summary>SHA-256 over every live record (list other than None) in key order: key, list, reason, deadline, sequence.</summary>
    public static string Digest(IEnumerable<KeyValuePair<ulong, ImeiRecord>> records)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> bytes = stackalloc byte[22];
        int count = 0;
        foreach ((ulong key, ImeiRecord record) in records.Where(r => r.Value.List != ListKind.None).OrderBy(r => r.Key))
        {
            BitConverter.TryWriteBytes(bytes, key);
            bytes[8] = (byte)record.List;
            bytes[9] = (byte)record.Reason;
            BitConverter.TryWriteBytes(bytes[10..], record.DeadlineUnixSeconds);
            BitConverter.TryWriteBytes(bytes[14..], record.Sequence);
            hash.AppendData(bytes);
            count++;
        }
        return $"{count} records, sha256 {Convert.ToHexString(hash.GetHashAndReset())[..16]}";
    }

    public static string Digest(ImeiStore store) =>
        Digest(store.Scan().Select(r => new KeyValuePair<ulong, ImeiRecord>(r.Imei.Key, r.Record)).ToList());

    public static string Digest(SortedDictionary<ulong, ImeiRecord> state) => Digest((IEnumerable<KeyValuePair<ulong, ImeiRecord>>)state);

    /// <summary>
    /// <paramref name="count"/> synthetic changes over <paramref name="keys"/> IMEIs (so keys repeat): sets on every
    /// list, and about one in eight a removal. Sequence numbers are assigned by the registry.
    /// </summary>
    public static List<Change> Changes(int count, int keys, int seed = 1)
    {
        var random = new Random(seed);
        var changes = new List<Change>(count);
        for (int i = 0; i < count; i++)
        {
            ulong key = KeyAt(random.Next(keys));
            changes.Add(random.Next(8) == 0
                ? new Change { ImeiKey = key, Op = ChangeOp.Remove, Reason = Reason.Admin, Origin = ChangeOrigin.Admin, TimeUnixMilliseconds = Now() }
                : Set(key, (ListKind)(1 + random.Next(3)), (uint)random.Next(1, int.MaxValue)));
        }
        return changes;
    }

    public static Change Set(ulong key, ListKind list, uint deadline = 1_900_000_000) => new()
    {
        ImeiKey = key,
        Op = ChangeOp.Set,
        List = list,
        Reason = list switch { ListKind.White => Reason.Verified, ListKind.Grey => Reason.Unverified, _ => Reason.Stolen },
        DeadlineUnixSeconds = list == ListKind.Grey ? deadline : 0,
        Origin = ChangeOrigin.Admin,
        TimeUnixMilliseconds = Now(),
    };

    public static ulong KeyAt(int i) => 35_693_803_000_000UL + (ulong)i * 7919UL % 100_000_000UL;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
