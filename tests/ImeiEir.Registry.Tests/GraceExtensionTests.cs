using ImeiEir.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImeiEir.Registry.Tests;

/// <summary>
/// Grace extensions: grey deadlines move to the new date and never earlier, one change per record; with
/// reinstatement, records the expiry turned black whose old deadline is before the new date are grey again.
/// </summary>
public class GraceExtensionTests
{
    private const uint Until = 2_000_000_000;

    private static readonly Attribution s_admin = new("admin", "regulator's order 12");

    private static ImeiRecord Grey(uint deadline) => new(ListKind.Grey, Reason.Unverified, deadline, 7);

    private static ImeiRecord Expired(ulong sequence) => new(ListKind.Black, Reason.GreyExpired, 0, sequence);

    [Test]
    public void A_grey_deadline_before_the_new_date_is_extended() =>
        Assert.That(GraceExtension.Decide(Grey(Until - 1), Until, reinstate: false, null), Is.EqualTo(GraceOutcome.Extended));

    [TestCase(Until)]
    [TestCase(Until + 1)]
    [TestCase(0u)]
    public void A_grey_deadline_at_or_after_the_new_date_or_none_is_unchanged(uint deadline) =>
        Assert.That(GraceExtension.Decide(Grey(deadline), Until, reinstate: false, null), Is.EqualTo(GraceOutcome.Unchanged));

    [Test]
    public void A_grey_expired_record_is_reinstated_only_when_asked_and_its_old_deadline_is_before_the_new_date()
    {
        var expiry = new ExpiredGrey(9, Until - 1, Reason.Unverified);
        Assert.That(GraceExtension.Decide(Expired(9), Until, reinstate: true, expiry), Is.EqualTo(GraceOutcome.Reinstated));
        Assert.That(GraceExtension.Decide(Expired(9), Until, reinstate: false, expiry), Is.EqualTo(GraceOutcome.NotSelected));
        Assert.That(GraceExtension.Decide(Expired(9), Until, reinstate: true, expiry with { OldDeadlineUnixSeconds = Until }), Is.EqualTo(GraceOutcome.NotSelected));
        Assert.That(GraceExtension.Decide(Expired(9), Until, reinstate: true, null), Is.EqualTo(GraceOutcome.NotSelected));
    }

    [Test]
    public void A_record_changed_since_its_history_was_read_is_not_reinstated() =>
        Assert.That(GraceExtension.Decide(Expired(10), Until, reinstate: true, new ExpiredGrey(9, Until - 1, Reason.Unverified)),
            Is.EqualTo(GraceOutcome.NotSelected));

    [TestCase(ListKind.White, Reason.Verified)]
    [TestCase(ListKind.Black, Reason.Stolen)]
    [TestCase(ListKind.None, Reason.Admin)]
    public void White_black_for_other_reasons_and_removed_records_are_not_selected(ListKind list, Reason reason) =>
        Assert.That(GraceExtension.Decide(new ImeiRecord(list, reason, 0, 3), Until, reinstate: true, null), Is.EqualTo(GraceOutcome.NotSelected));

    [Test]
    public void A_TAC_range_selects_by_the_IMEI_s_TAC_inclusive()
    {
        GraceSelection selection = GraceSelection.TacRange(35_000_000, 35_000_000);
        Assert.That(selection.Matches(TestData.Imei(1)), Is.True);
        Assert.That(selection.Matches(Imei.FromKey(35_000_001_000_000UL)), Is.False);
        Assert.That(GraceSelection.List([TestData.Imei(1), TestData.Imei(1)]).Imeis, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Extension_moves_earlier_deadlines_keeps_later_ones_and_reinstates_expired_records_only_with_reinstate()
    {
        await using Lifecycle life = await Lifecycle.OpenAsync();
        DateTimeOffset day0 = Lifecycle.Day0;
        // 1 is seen first and expires on day 30; 2 and 3 are seen on day 10 (deadline day 40); 4 is grey until day 100.
        await life.SeeAsync(Lifecycle.Sighting(1, day0));
        await life.StartExpiryAsync();
        await life.AdvanceAndSettleAsync(TimeSpan.FromDays(10));
        await life.SeeAsync(Lifecycle.Sighting(2, life.Clock.Now), Lifecycle.Sighting(3, life.Clock.Now));
        await TestData.PushCsvAsync(life.Registry, $"imei,list,reason,deadline\n{TestData.Text(4)},grey,unverified,{day0.AddDays(100):yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
        await life.AdvanceAndSettleAsync(TimeSpan.FromDays(21));
        await Lifecycle.WaitUntilAsync(() => life.Record(1).List == ListKind.Black, "IMEI 1 to expire");
        uint until = checked((uint)day0.AddDays(60).ToUnixTimeSeconds());
        ulong before = life.Registry.LastSequence;

        GraceExtensionReport withoutReinstate = await GraceExtender.ExtendAsync(life.Registry, GraceSelection.All(), until, reinstate: false, s_admin, NullLogger.Instance, CancellationToken.None);
        Assert.That((withoutReinstate.Extended, withoutReinstate.Unchanged, withoutReinstate.Reinstated), Is.EqualTo((2, 1, 0)));
        Assert.That((withoutReinstate.FirstSequence, withoutReinstate.LastSequence), Is.EqualTo((before + 1, before + 2)));
        Assert.That(life.Record(1).List, Is.EqualTo(ListKind.Black));
        Assert.That(life.Record(2), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, until, before + 1)).Or.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, until, before + 2)));
        Assert.That(life.Record(3).DeadlineUnixSeconds, Is.EqualTo(until));
        Assert.That(life.Record(4).DeadlineUnixSeconds, Is.EqualTo((uint)day0.AddDays(100).ToUnixTimeSeconds()));

        GraceExtensionReport withReinstate = await GraceExtender.ExtendAsync(life.Registry, GraceSelection.List([TestData.Imei(1), TestData.Imei(2)]), until,
            reinstate: true, s_admin, NullLogger.Instance, CancellationToken.None);
        Assert.That((withReinstate.Extended, withReinstate.Unchanged, withReinstate.Reinstated), Is.EqualTo((0, 1, 1)));
        Assert.That(life.Record(1), Is.EqualTo(new ImeiRecord(ListKind.Grey, Reason.Unverified, until, before + 3)));

        // The reinstated record expires again at the new date, through the same lifecycle.
        await life.AdvanceAndSettleAsync(TimeSpan.FromSeconds(until - life.Clock.NowUnixSeconds));
        await Lifecycle.WaitUntilAsync(() => life.Record(1).List == ListKind.Black && life.Record(2).List == ListKind.Black, "IMEIs 1 and 2 to expire at the new date");
    }
}
