using System.Runtime.InteropServices;
using ImeiEir.Core;

namespace ImeiEir.Registry;

/// <summary>
/// Judges delta fields against the rules of a line (op, IMEI, list, reason, deadline, new_imei, imsi) and the batch
/// (an IMEI once per batch, except that pair and unpair lines name an IMEI and IMSI once each, so an IMEI may be
/// paired with several IMSIs in one batch), collecting the valid lines and one error per bad line.
/// </summary>
internal sealed class DeltaJudge
{
    private readonly RegimeCalendar _calendar;
    private readonly List<DeltaLine> _lines = [];
    private readonly List<DeltaLineError> _errors = [];
    private readonly List<string> _problems = [];

    // IMEI key -> first line naming it; and the first lines found later to be shared, with their reason.
    private readonly Dictionary<ulong, int> _firstLineOf = [];
    private readonly Dictionary<int, string> _sharedLater = [];

    // (IMEI key, IMSI) of pair and unpair lines -> the first line naming them.
    private readonly Dictionary<(ulong, PackedImsi), int> _firstPairingLineOf = [];

    /// <param name="calendar">Whose midnight a deadline written as a bare date is.</param>
    public DeltaJudge(RegimeCalendar calendar) => _calendar = calendar;

    public void Reject(int line, string reason) => _errors.Add(new DeltaLineError(line, reason));

    public void Judge(int line, ref DeltaFields f)
    {
        List<string> problems = _problems;
        problems.Clear();

        DeltaOp op = DeltaOp.Set;
        bool opKnown = true;
        if (!f.Op.IsEmpty)
        {
            if (f.Op.Equals("set", StringComparison.OrdinalIgnoreCase)) op = DeltaOp.Set;
            else if (f.Op.Equals("remove", StringComparison.OrdinalIgnoreCase)) op = DeltaOp.Remove;
            else if (f.Op.Equals("replace", StringComparison.OrdinalIgnoreCase)) op = DeltaOp.Replace;
            else if (f.Op.Equals("pair", StringComparison.OrdinalIgnoreCase)) op = DeltaOp.Pair;
            else if (f.Op.Equals("unpair", StringComparison.OrdinalIgnoreCase)) op = DeltaOp.Unpair;
            else
            {
                problems.Add($"op '{DeltaLineReader.Shorten(f.Op)}' is not an operation: expected set, remove, replace, pair or unpair");
                opKnown = false;
            }
        }

        bool imeiKnown = ParseImei("imei", f.Imei, out Imei imei, problems);
        Imei newImei = default;
        bool newImeiKnown = false;
        ListKind list = ListKind.None;
        Reason reason = Reason.None;
        uint deadline = 0;
        PackedImsi imsi = PackedImsi.None;
        bool imsiKnown = false;

        if (opKnown && op is not (DeltaOp.Pair or DeltaOp.Unpair) && !f.Imsi.IsEmpty)
            problems.Add("imsi is only for op pair or unpair");

        if (opKnown)
        {
            switch (op)
            {
                case DeltaOp.Set:
                    JudgeSet(ref f, problems, out list, out reason, out deadline);
                    if (!f.NewImei.IsEmpty) problems.Add("new_imei is only for op replace");
                    break;
                case DeltaOp.Remove:
                    if (!f.List.IsEmpty) problems.Add($"list '{DeltaLineReader.Shorten(f.List)}' is not allowed on a remove: a remove takes the IMEI off every list");
                    if (!f.Deadline.IsEmpty) problems.Add("deadline is not allowed on a remove");
                    if (!f.NewImei.IsEmpty) problems.Add("new_imei is only for op replace");
                    reason = Reason.Admin;
                    if (!f.Reason.IsEmpty && !Names.TryParseReason(f.Reason, out reason))
                        problems.Add(UnknownReason(f.Reason));
                    break;
                case DeltaOp.Replace:
                    if (f.NewImei.IsEmpty) problems.Add("new_imei is empty: a replace names the new IMEI");
                    else newImeiKnown = ParseImei("new_imei", f.NewImei, out newImei, problems);
                    if (newImeiKnown && imeiKnown && newImei == imei)
                    {
                        problems.Add("new_imei is the same device as imei");
                        newImeiKnown = false;
                    }
                    if (!f.List.IsEmpty) problems.Add($"list '{DeltaLineReader.Shorten(f.List)}' is not allowed on a replace: the old IMEI turns black and the new one white");
                    if (!f.Deadline.IsEmpty) problems.Add("deadline is not allowed on a replace");
                    reason = Reason.ServiceReplacement;
                    if (!f.Reason.IsEmpty && (!Names.TryParseReason(f.Reason, out Reason given) || given != Reason.ServiceReplacement))
                        problems.Add($"reason '{DeltaLineReader.Shorten(f.Reason)}' is not allowed on a replace: leave it empty or write service-replacement");
                    break;
                case DeltaOp.Pair or DeltaOp.Unpair:
                    imsiKnown = JudgePairing(op, ref f, problems, out imsi);
                    break;
            }
        }

        if (op is DeltaOp.Pair or DeltaOp.Unpair)
        {
            if (imeiKnown && imsiKnown) CheckPairingOnce(line, imei, imsi, problems);
        }
        else
        {
            if (imeiKnown) CheckOnce(line, imei, problems);
            if (newImeiKnown) CheckOnce(line, newImei, problems);
        }

        if (problems.Count > 0)
            _errors.Add(new DeltaLineError(line, string.Join("; ", problems)));
        else
            _lines.Add(new DeltaLine(line, op, imei, list, reason, deadline, newImei, imsi));
    }

    /// <summary>A pair or unpair names the IMEI and one IMSI, nothing else: the list stays as it is.</summary>
    private static bool JudgePairing(DeltaOp op, ref DeltaFields f, List<string> problems, out PackedImsi imsi)
    {
        string name = op == DeltaOp.Pair ? "pair" : "unpair";
        if (!f.List.IsEmpty) problems.Add($"list '{DeltaLineReader.Shorten(f.List)}' is not allowed on {(op == DeltaOp.Pair ? "a" : "an")} {name}: pairing leaves the IMEI's list as it is");
        if (!f.Reason.IsEmpty) problems.Add($"reason is not allowed on {(op == DeltaOp.Pair ? "a" : "an")} {name} (say why in the push's comment)");
        if (!f.Deadline.IsEmpty) problems.Add($"deadline is not allowed on {(op == DeltaOp.Pair ? "a" : "an")} {name}");
        if (!f.NewImei.IsEmpty) problems.Add("new_imei is only for op replace");
        imsi = PackedImsi.None;
        if (f.Imsi.IsEmpty)
        {
            problems.Add($"imsi is empty: {(op == DeltaOp.Pair ? "a" : "an")} {name} names the subscriber's IMSI");
            return false;
        }
        if (!PackedImsi.TryPack(f.Imsi.Trim(), out imsi))
        {
            problems.Add($"imsi '{DeltaLineReader.Shorten(f.Imsi)}' is not an IMSI: expected {ImsiText.MinDigits} to {ImsiText.MaxDigits} digits");
            return false;
        }
        return true;
    }

    private void CheckPairingOnce(int line, Imei imei, PackedImsi imsi, List<string> problems)
    {
        ref int first = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstPairingLineOf, (imei.Key, imsi), out bool exists);
        if (!exists)
        {
            first = line;
            return;
        }
        problems.Add($"imei {imei} and imsi {imsi} are also on line {first}: a pairing may appear once per batch");
    }

    private void JudgeSet(ref DeltaFields f, List<string> problems, out ListKind list, out Reason reason, out uint deadline)
    {
        deadline = 0;
        list = ListKind.None;
        reason = Reason.None;
        if (f.List.IsEmpty) problems.Add("list is empty: a set needs white, grey or black");
        else if (!Names.TryParseList(f.List, out list))
            problems.Add($"list '{DeltaLineReader.Shorten(f.List)}' is not a list: expected white, grey or black");

        if (f.Reason.IsEmpty) problems.Add($"reason is empty: a set needs one of {string.Join(", ", Names.ReasonNames)}");
        else if (!Names.TryParseReason(f.Reason, out reason)) problems.Add(UnknownReason(f.Reason));

        if (list == ListKind.Grey && f.Deadline.IsEmpty)
            problems.Add($"deadline is empty, but a grey record needs one ({DeadlineText.Expected})");
        else if (list is ListKind.White or ListKind.Black && !f.Deadline.IsEmpty)
            problems.Add($"deadline '{DeltaLineReader.Shorten(f.Deadline)}' is only allowed on the grey list, not on {list.ToName()}");
        else if (!f.Deadline.IsEmpty && !DeadlineText.TryParse(f.Deadline, _calendar, out deadline, out string? problem))
            problems.Add($"deadline '{DeltaLineReader.Shorten(f.Deadline)}' {problem}");
    }

    private static string UnknownReason(ReadOnlySpan<char> text) =>
        $"reason '{DeltaLineReader.Shorten(text)}' is not a known reason: expected one of {string.Join(", ", Names.ReasonNames)}";

    private static bool ParseImei(string name, ReadOnlySpan<char> text, out Imei imei, List<string> problems)
    {
        if (text.IsEmpty)
        {
            imei = default;
            problems.Add($"{name} is empty");
            return false;
        }
        switch (Imei.TryParse(text, out imei))
        {
            case ImeiParseResult.Valid:
                return true;
            case ImeiParseResult.BadCheckDigit:
                problems.Add($"{name} '{text}' has a wrong check digit: it should be {imei.CheckDigit}");
                return false;
            default:
                problems.Add($"{name} '{DeltaLineReader.Shorten(text)}' is not an IMEI: expected 14, 15 or 16 digits");
                return false;
        }
    }

    private void CheckOnce(int line, Imei imei, List<string> problems)
    {
        ref int first = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstLineOf, imei.Key, out bool exists);
        if (!exists)
        {
            first = line;
            return;
        }
        problems.Add($"imei {imei} is also on line {first}: an IMEI may appear once per batch (a replace's new_imei counts)");
        if (first != line)
            _sharedLater.TryAdd(first, $"imei {imei} is also on line {line}: an IMEI may appear once per batch (a replace's new_imei counts)");
    }

    public DeltaBatch ToBatch()
    {
        if (_sharedLater.Count == 0)
            return new DeltaBatch(_lines, _errors, null);

        var lines = new List<DeltaLine>(_lines.Count);
        var errors = new List<DeltaLineError>(_errors.Count + _sharedLater.Count);
        foreach (DeltaLine line in _lines)
        {
            if (_sharedLater.Remove(line.Line, out string? reason)) errors.Add(new DeltaLineError(line.Line, reason));
            else lines.Add(line);
        }
        foreach (DeltaLineError error in _errors)
        {
            errors.Add(_sharedLater.Remove(error.Line, out string? reason)
                ? error with { Reason = error.Reason + "; " + reason }
                : error);
        }
        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new DeltaBatch(lines, errors, null);
    }
}
