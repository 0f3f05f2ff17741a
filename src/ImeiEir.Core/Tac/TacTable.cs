namespace ImeiEir.Core.Tac;

/// <summary>
/// The TAC database in memory, immutable once built: TACs in a sorted <c>uint[]</c> searched by halving, and beside
/// each the index of its device type, manufacturer and model in small tables of distinct strings (a database has
/// a few dozen device types and some thousands of manufacturers). <see cref="IndexOf"/> and
/// <see cref="IsDeviceTypeIn"/> allocate nothing, so the answer path may use them (docs/ARCHITECTURE.md, convention 6).
/// </summary>
public sealed class TacTable
{
    private readonly uint[] _tacs;
    private readonly ushort[] _deviceTypeIds;
    private readonly int[] _manufacturerIds;
    private readonly int[] _modelIds;
    private readonly string[] _deviceTypes;
    private readonly string[] _texts;
    private volatile DeviceTypeMask? _mask;

    private TacTable(string version, uint[] tacs, ushort[] deviceTypeIds, int[] manufacturerIds, int[] modelIds, string[] deviceTypes, string[] texts)
    {
        Version = version;
        _tacs = tacs;
        _deviceTypeIds = deviceTypeIds;
        _manufacturerIds = manufacturerIds;
        _modelIds = modelIds;
        _deviceTypes = deviceTypes;
        _texts = texts;
    }

    /// <summary>The version of the document it was built from (the registry's, e.g. "3").</summary>
    public string Version { get; }

    /// <summary>How many TACs it holds.</summary>
    public int Count => _tacs.Length;

    /// <summary>The distinct device types, in the order first seen.</summary>
    public IReadOnlyList<string> DeviceTypes => _deviceTypes;

    /// <summary>
    /// Builds a table. Entries need not be sorted; a TAC given twice keeps its last entry. At most 65,535 distinct
    /// device types.
    /// </summary>
    public static TacTable Build(string version, IReadOnlyCollection<TacEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(entries);
        TacEntry[] sorted = [.. entries];
        Array.Sort(sorted, (a, b) => a.Tac.CompareTo(b.Tac));
        int count = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (count > 0 && sorted[count - 1].Tac == sorted[i].Tac) sorted[count - 1] = sorted[i];
            else sorted[count++] = sorted[i];
        }

        var tacs = new uint[count];
        var deviceTypeIds = new ushort[count];
        var manufacturerIds = new int[count];
        var modelIds = new int[count];
        var deviceTypes = new List<string>();
        var deviceTypeIndex = new Dictionary<string, ushort>(StringComparer.Ordinal);
        var texts = new List<string>();
        var textIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            TacEntry entry = sorted[i];
            tacs[i] = entry.Tac;
            if (!deviceTypeIndex.TryGetValue(entry.DeviceType, out ushort typeId))
            {
                if (deviceTypes.Count == ushort.MaxValue) throw new ArgumentException($"more than {ushort.MaxValue} device types", nameof(entries));
                typeId = (ushort)deviceTypes.Count;
                deviceTypes.Add(entry.DeviceType);
                deviceTypeIndex.Add(entry.DeviceType, typeId);
            }
            deviceTypeIds[i] = typeId;
            manufacturerIds[i] = Intern(entry.Manufacturer, texts, textIndex);
            modelIds[i] = Intern(entry.Model, texts, textIndex);
        }
        return new TacTable(version, tacs, deviceTypeIds, manufacturerIds, modelIds, [.. deviceTypes], [.. texts]);
    }

    /// <summary>The position of <paramref name="tac"/>, or -1 when the database does not have it. Allocation-free.</summary>
    public int IndexOf(uint tac)
    {
        int index = Array.BinarySearch(_tacs, tac);
        return index >= 0 ? index : -1;
    }

    /// <summary>The entry at <paramref name="index"/> (from <see cref="IndexOf"/>). Allocates nothing: the strings are the table's.</summary>
    public TacEntry this[int index] =>
        new(_tacs[index], _texts[_manufacturerIds[index]], _texts[_modelIds[index]], _deviceTypes[_deviceTypeIds[index]]);

    /// <summary>
    /// Whether the device type at <paramref name="index"/> is one of <paramref name="set"/>. Allocation-free once
    /// per table and set: the answer for each device type is worked out on first use and kept.
    /// </summary>
    public bool IsDeviceTypeIn(int index, DeviceTypeSet set)
    {
        DeviceTypeMask? mask = _mask;
        if (mask is null || !ReferenceEquals(mask.Set, set))
            _mask = mask = new DeviceTypeMask(set, [.. _deviceTypes.Select(set.Contains)]);
        return mask.Members[_deviceTypeIds[index]];
    }

    /// <summary>
    /// Bytes the table holds per TAC, arrays and strings counted (an estimate by layout: 4 for the TAC, 2 for the
    /// device type, 8 for the manufacturer and model indexes, plus the distinct strings spread over the TACs).
    /// </summary>
    public double BytesPerTac
    {
        get
        {
            if (_tacs.Length == 0) return 0;
            long strings = _texts.Sum(t => 22L + 2L * t.Length + 8) + _deviceTypes.Sum(t => 22L + 2L * t.Length + 8);
            long arrays = _tacs.Length * (4L + 2 + 4 + 4);
            return (double)(strings + arrays) / _tacs.Length;
        }
    }

    private static int Intern(string text, List<string> texts, Dictionary<string, int> index)
    {
        if (index.TryGetValue(text, out int id)) return id;
        id = texts.Count;
        texts.Add(text);
        index.Add(text, id);
        return id;
    }

    private sealed record DeviceTypeMask(DeviceTypeSet Set, bool[] Members);
}
