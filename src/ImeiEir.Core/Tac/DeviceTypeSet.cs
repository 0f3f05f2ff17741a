namespace ImeiEir.Core.Tac;

/// <summary>A set of device type names compared without regard to case or surrounding spaces (e.g. <c>Module</c>, <c>IoT Device</c>).</summary>
public sealed class DeviceTypeSet
{
    private readonly HashSet<string> _names;

    public DeviceTypeSet(IEnumerable<string> names) =>
        _names = new HashSet<string>(names.Select(n => n.Trim()), StringComparer.OrdinalIgnoreCase);

    public int Count => _names.Count;

    public bool Contains(string deviceType) => _names.Contains(deviceType.Trim());
}
