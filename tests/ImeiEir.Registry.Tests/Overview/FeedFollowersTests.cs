namespace ImeiEir.Registry.Tests.Overview;

public sealed class FeedFollowersTests
{
    [Test]
    public void A_reconnecting_follower_keeps_one_row_and_stays_connected_while_any_of_its_feeds_is_open()
    {
        var table = new FeedFollowers();
        FeedFollower first = table.Open("eir-north", "10.0.0.5", 10, 1_000);
        FeedFollower second = table.Open("eir-north", "10.0.0.5", 12, 2_000);
        first.Closed(3_000); // the old feed's end comes after the reconnect
        Assert.That(table.List(3_000), Has.Count.EqualTo(1));
        Assert.That(second, Is.SameAs(first));
        Assert.That((second.Connected, second.AfterSequence), Is.EqualTo((true, 12UL)));
    }

    [Test]
    public void The_table_is_bounded_by_dropping_the_longest_unseen_disconnected_follower()
    {
        var table = new FeedFollowers();
        for (int i = 0; i < FeedFollowers.MaxRows; i++) table.Open("node", $"10.0.{i / 256}.{i % 256}", 0, 1_000 + i).Closed(1_000 + i);
        table.Open("node", "10.9.9.9", 0, 5_000);
        IReadOnlyList<FeedFollower> rows = table.List(5_000);
        Assert.That(rows, Has.Count.EqualTo(FeedFollowers.MaxRows));
        Assert.That(rows.Select(r => r.Address), Does.Contain("10.9.9.9").And.Not.Contain("10.0.0.0"));
    }
}
