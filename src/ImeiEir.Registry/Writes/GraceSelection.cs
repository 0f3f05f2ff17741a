using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>Which records a grace extension considers: every record, a TAC range, or a list of IMEIs.</summary>
public sealed class GraceSelection
{
    private readonly uint _tacFrom;
    private readonly uint _tacTo;

    private GraceSelection(uint tacFrom, uint tacTo, IReadOnlyCollection<Imei>? imeis, string description)
    {
        _tacFrom = tacFrom;
        _tacTo = tacTo;
        Imeis = imeis;
        Description = description;
    }

    /// <summary>The listed IMEIs, each once, when the selection is a list; null when it is a scan.</summary>
    public IReadOnlyCollection<Imei>? Imeis { get; }

    /// <summary>For the log: "all", "TAC 35000000-35099999" or "3 IMEIs".</summary>
    public string Description { get; }

    public static GraceSelection All() => new(0, uint.MaxValue, null, "all");

    /// <summary>TACs <paramref name="from"/> to <paramref name="to"/>, inclusive (8 digits each).</summary>
    public static GraceSelection TacRange(uint from, uint to) => new(from, to, null, $"TAC {from:D8}-{to:D8}");

    public static GraceSelection List(IEnumerable<Imei> imeis)
    {
        var distinct = new HashSet<Imei>(imeis);
        return new GraceSelection(0, uint.MaxValue, distinct, $"{distinct.Count} IMEIs");
    }

    /// <summary>True when a scanned record's IMEI is selected (a list selects by membership instead).</summary>
    public bool Matches(Imei imei) => Imeis is null ? imei.Tac >= _tacFrom && imei.Tac <= _tacTo : Imeis.Contains(imei);
}
