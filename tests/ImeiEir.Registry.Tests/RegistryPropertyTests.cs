using System.Text;
using FsCheck;
using FsCheck.Fluent;
using ImeiEir.Core;

namespace ImeiEir.Registry.Tests;

public class RegistryPropertyTests
{
    /// <summary>One delta line: op (set/remove/replace), IMEI and partner from 8 devices (so lines collide), list, reason, deadline.</summary>
    public readonly record struct Step(byte Op, byte Key, byte Partner, byte List, byte Reason, bool LaterDeadline);

    private static readonly Reason[] s_reasons = [Reason.Verified, Reason.Stolen, Reason.Unverified, Reason.ServiceReplacement];
    private static readonly string[] s_deadlines = ["2030-01-01", "2031-06-30T12:00:00+05:00"];

    private readonly record struct Expected(ulong Key, ChangeOp Op, ListKind List, Reason Reason, uint Deadline, ulong Related);

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public Property Any_batches_pushed_then_read_from_the_feed_equal_the_applied_changes(Step[][] batches, bool crash)
    {
        using var dir = new TempDirectory();
        var model = new Dictionary<ulong, (ListKind List, Reason Reason, uint Deadline)>();
        var expected = new List<Expected>();
        RegistryService registry = TestData.OpenAsync(dir.Path).GetAwaiter().GetResult();
        try
        {
            foreach (Step[] batch in batches.Where(b => b is { Length: > 0 }).Take(6))
            {
                (string csv, List<DeltaOutcome> outcomes) = Plan(batch.Take(12).ToArray(), model, expected);
                DeltaReport report = TestData.PushCsvAsync(registry, csv, partial: true).GetAwaiter().GetResult();
                List<DeltaOutcome> actual = report.Lines.Select(l => l.Outcome).ToList();
                if (!actual.SequenceEqual(outcomes))
                    return false.Label($"outcomes {string.Join(",", actual)} expected {string.Join(",", outcomes)} for\n{csv}");
            }

            // A crash (no checkpoint) or a clean stop, then read everything back from 0.
            if (crash) registry.DisposeWithoutCheckpoint();
            else registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
            registry = TestData.OpenAsync(dir.Path).GetAwaiter().GetResult();

            List<Change> feed = TestData.ReadAllAsync(registry).GetAwaiter().GetResult();
            if (feed.Count != expected.Count) return false.Label($"feed has {feed.Count} changes, expected {expected.Count}");
            for (int i = 0; i < feed.Count; i++)
            {
                Change c = feed[i];
                var actual = new Expected(c.ImeiKey, c.Op, c.List, c.Reason, c.DeadlineUnixSeconds, c.RelatedImeiKey);
                if (c.Sequence != (ulong)i + 1 || actual != expected[i])
                    return false.Label($"change {i + 1}: {c} expected {expected[i]}");
            }
            for (int k = 0; k < 8; k++)
            {
                bool live = registry.TryGet(TestData.Imei(k), out ImeiRecord record);
                bool inModel = model.TryGetValue(TestData.Imei(k).Key, out var m);
                if (live != inModel || (live && (record.List, record.Reason, record.DeadlineUnixSeconds) != m))
                    return false.Label($"IMEI {k}: view {live} {record}, model {inModel} {m}");
            }
            return true.ToProperty();
        }
        finally
        {
            registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The CSV of a batch, and what the registry must do with each line (the model of ApplyAsync).</summary>
    private static (string Csv, List<DeltaOutcome> Outcomes) Plan(Step[] steps, Dictionary<ulong, (ListKind, Reason, uint)> model, List<Expected> expected)
    {
        var csv = new StringBuilder("op,imei,list,reason,deadline,new_imei\n");
        var mentions = new Dictionary<int, int>();
        foreach (Step s in steps)
        {
            mentions[s.Key % 8] = mentions.GetValueOrDefault(s.Key % 8) + 1;
            if (s.Op % 3 == 2 && s.Partner % 8 != s.Key % 8) mentions[s.Partner % 8] = mentions.GetValueOrDefault(s.Partner % 8) + 1;
        }

        var outcomes = new List<DeltaOutcome>();
        foreach (Step s in steps)
        {
            int key = s.Key % 8, partner = s.Partner % 8;
            Imei imei = TestData.Imei(key), other = TestData.Imei(partner);
            switch (s.Op % 3)
            {
                case 0:
                {
                    var list = (ListKind)(1 + s.List % 3);
                    Reason reason = s_reasons[s.Reason % s_reasons.Length];
                    string deadlineText = list == ListKind.Grey ? s_deadlines[s.LaterDeadline ? 1 : 0] : "";
                    uint deadline = deadlineText.Length == 0 ? 0 : (uint)DateTimeOffset.Parse(deadlineText.Length == 10 ? deadlineText + "T00:00:00+05:00" : deadlineText).ToUnixTimeSeconds();
                    csv.Append($"set,{imei},{list.ToName()},{reason.ToName()},{deadlineText},\n");
                    if (mentions[key] > 1) { outcomes.Add(DeltaOutcome.Rejected); break; }
                    if (model.TryGetValue(imei.Key, out var current) && current == (list, reason, deadline)) { outcomes.Add(DeltaOutcome.Unchanged); break; }
                    model[imei.Key] = (list, reason, deadline);
                    expected.Add(new Expected(imei.Key, ChangeOp.Set, list, reason, deadline, 0));
                    outcomes.Add(DeltaOutcome.Applied);
                    break;
                }
                case 1:
                    csv.Append($"remove,{imei},,,,\n");
                    if (mentions[key] > 1) { outcomes.Add(DeltaOutcome.Rejected); break; }
                    if (!model.Remove(imei.Key)) { outcomes.Add(DeltaOutcome.Unchanged); break; }
                    expected.Add(new Expected(imei.Key, ChangeOp.Remove, ListKind.None, Reason.Admin, 0, 0));
                    outcomes.Add(DeltaOutcome.Applied);
                    break;
                default:
                    csv.Append($"replace,{imei},,,,{other}\n");
                    if (key == partner || mentions[key] > 1 || mentions[partner] > 1) { outcomes.Add(DeltaOutcome.Rejected); break; }
                    if (model.TryGetValue(imei.Key, out var o) && o == (ListKind.Black, Reason.ServiceReplacement, 0u)
                        && model.TryGetValue(other.Key, out var n) && n == (ListKind.White, Reason.ServiceReplacement, 0u))
                    {
                        outcomes.Add(DeltaOutcome.Unchanged);
                        break;
                    }
                    model[imei.Key] = (ListKind.Black, Reason.ServiceReplacement, 0);
                    model[other.Key] = (ListKind.White, Reason.ServiceReplacement, 0);
                    expected.Add(new Expected(imei.Key, ChangeOp.Set, ListKind.Black, Reason.ServiceReplacement, 0, other.Key));
                    expected.Add(new Expected(other.Key, ChangeOp.Set, ListKind.White, Reason.ServiceReplacement, 0, imei.Key));
                    outcomes.Add(DeltaOutcome.Applied);
                    break;
            }
        }
        return (csv.ToString(), outcomes);
    }
}
