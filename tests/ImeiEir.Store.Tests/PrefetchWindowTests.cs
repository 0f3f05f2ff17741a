using FsCheck;
using FsCheck.Fluent;

namespace ImeiEir.Store.Tests;

public class PrefetchWindowTests
{
    [Test]
    public void The_first_item_comes_back_on_the_push_after_the_window_fills()
    {
        var window = new PrefetchWindow<int>();
        for (int i = 0; i < ImeiStoreSession.PrefetchDistance; i++)
            Assert.That(window.Push(i, out _), Is.False, $"push {i}");
        Assert.That(window.Count, Is.EqualTo(ImeiStoreSession.PrefetchDistance));
        Assert.That(window.Push(100, out int due), Is.True);
        Assert.That(due, Is.EqualTo(0));
        Assert.That(window.Count, Is.EqualTo(ImeiStoreSession.PrefetchDistance));
    }

    [Test]
    public void An_empty_window_has_nothing_to_take()
    {
        var window = new PrefetchWindow<int>();
        Assert.That(window.TryTake(out _), Is.False);
        window.Push(7, out _);
        Assert.That(window.TryTake(out int due), Is.True);
        Assert.That(due, Is.EqualTo(7));
        Assert.That(window.TryTake(out _), Is.False);
    }

    /// <summary>Pushes, with drains at arbitrary points, hand every item back once, in arrival order.</summary>
    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Items_come_out_once_each_in_arrival_order(int[] items, bool[] drainAfter)
    {
        var window = new PrefetchWindow<int>();
        var output = new List<int>();
        for (int i = 0; i < items.Length; i++)
        {
            if (window.Push(items[i], out int due)) output.Add(due);
            if (i < drainAfter.Length && drainAfter[i])
                while (window.TryTake(out int taken)) output.Add(taken);
        }
        while (window.TryTake(out int rest)) output.Add(rest);
        return output.SequenceEqual(items).Label($"in {string.Join(",", items)} out {string.Join(",", output)}");
    }
}
