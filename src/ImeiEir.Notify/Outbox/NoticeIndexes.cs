using System.Diagnostics.CodeAnalysis;
using ImeiEir.Notify.Notices;

namespace ImeiEir.Notify.Outbox;

/// <summary>
/// The outbox's memory: the last record of each notice by key, and its indexes: by IMEI and by MSISDN (the queries),
/// the parked notices by IMSI (released by an import), the pending ones in due order (the sender's queue), and how
/// many notices are in each state. Not thread-safe: <see cref="NoticeOutbox"/> calls it under its lock; only
/// <see cref="InState"/> may be read without it.
/// </summary>
internal sealed class NoticeIndexes
{
    private readonly Dictionary<string, NoticeRecord> _notices = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, List<string>> _byImei = [];
    private readonly Dictionary<string, List<string>> _byMsisdn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _parkedByImsi = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, (long DueMs, long Order)> _pending = new();
    private readonly long[] _inState = new long[8];
    private long _order;

    /// <summary>Notices held, in every state.</summary>
    public int Count => _notices.Count;

    /// <summary>Every notice held, in no particular order.</summary>
    public IEnumerable<NoticeRecord> All => _notices.Values;

    /// <summary>True when some notice waits for its subscriber.</summary>
    public bool AnyParked => _parkedByImsi.Count > 0;

    /// <summary>The parked notices' keys by IMSI.</summary>
    public IEnumerable<KeyValuePair<string, HashSet<string>>> ParkedByImsi => _parkedByImsi;

    /// <summary>The notice with this key.</summary>
    public NoticeRecord this[string key] => _notices[key];

    /// <summary>Notices now in <paramref name="state"/>; safe without the lock.</summary>
    public long InState(NoticeState state) => Interlocked.Read(ref _inState[(int)state]);

    public bool Contains(string key) => _notices.ContainsKey(key);

    public bool TryGet(string key, [MaybeNullWhen(false)] out NoticeRecord record) => _notices.TryGetValue(key, out record);

    /// <summary>The notices about this device, oldest first.</summary>
    public List<NoticeView> ByImei(ulong imeiKey) => _byImei.TryGetValue(imeiKey, out List<string>? keys) ? Views(keys) : [];

    /// <summary>The notices to this number (digits only), oldest first.</summary>
    public List<NoticeView> ByMsisdn(string msisdn) => _byMsisdn.TryGetValue(msisdn, out List<string>? keys) ? Views(keys) : [];

    /// <summary>The first pending slot, possibly stale (the notice moved on or was dropped since).</summary>
    public bool TryPeekPending([MaybeNullWhen(false)] out string key, out (long DueMs, long Order) slot) => _pending.TryPeek(out key, out slot);

    public void DequeuePending() => _pending.Dequeue();

    /// <summary>Holds <paramref name="record"/> as its notice's state: a new notice, or a transition of a held one.</summary>
    public void Put(NoticeRecord record)
    {
        if (_notices.TryGetValue(record.Key, out NoticeRecord? old)) Replace(old, record);
        else Add(record);
    }

    /// <summary>Drops a notice from every index (its pending slot, if any, goes stale).</summary>
    public void Remove(NoticeRecord record)
    {
        _notices.Remove(record.Key);
        RemoveFrom(_byImei, record.Imei.Key, record.Key);
        if (record.Msisdn is not null) RemoveFrom(_byMsisdn, record.Msisdn, record.Key);
        Interlocked.Decrement(ref _inState[(int)record.State]);
    }

    private void Add(NoticeRecord record)
    {
        _notices[record.Key] = record;
        AddTo(_byImei, record.Imei.Key, record.Key);
        if (record.Msisdn is not null) AddTo(_byMsisdn, record.Msisdn, record.Key);
        Interlocked.Increment(ref _inState[(int)record.State]);
        Entered(record);
    }

    private void Replace(NoticeRecord old, NoticeRecord record)
    {
        _notices[record.Key] = record;
        if (old.Msisdn != record.Msisdn)
        {
            if (old.Msisdn is not null) _byMsisdn[old.Msisdn].Remove(record.Key);
            if (record.Msisdn is not null) AddTo(_byMsisdn, record.Msisdn, record.Key);
        }
        if (old.State == record.State && old.NextAttemptMs == record.NextAttemptMs) return;
        Interlocked.Decrement(ref _inState[(int)old.State]);
        Interlocked.Increment(ref _inState[(int)record.State]);
        if (old.State == NoticeState.Parked && _parkedByImsi.TryGetValue(old.Imsi, out HashSet<string>? parked))
        {
            parked.Remove(old.Key);
            if (parked.Count == 0) _parkedByImsi.Remove(old.Imsi);
        }
        Entered(record);
    }

    private void Entered(NoticeRecord record)
    {
        if (record.State == NoticeState.Parked)
        {
            if (!_parkedByImsi.TryGetValue(record.Imsi, out HashSet<string>? keys)) _parkedByImsi[record.Imsi] = keys = new HashSet<string>(StringComparer.Ordinal);
            keys.Add(record.Key);
        }
        else if (record.State == NoticeState.Pending)
        {
            _pending.Enqueue(record.Key, (record.NextAttemptMs, _order++));
        }
    }

    private List<NoticeView> Views(List<string> keys) =>
        [.. keys.Select(k => _notices[k]).OrderBy(r => r.CreatedMs).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => r.ToView())];

    private static void AddTo<TKey>(Dictionary<TKey, List<string>> index, TKey key, string value) where TKey : notnull
    {
        if (!index.TryGetValue(key, out List<string>? list)) index[key] = list = [];
        list.Add(value);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, List<string>> index, TKey key, string value) where TKey : notnull
    {
        if (!index.TryGetValue(key, out List<string>? list)) return;
        list.Remove(value);
        if (list.Count == 0) index.Remove(key);
    }
}
