using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ImeiEir.Server.Tests.Lifecycle;

/// <summary>
/// Issue 4's day-by-day scenario through Diameter S13 and HTTP, on a registry and two nodes with a fake regime clock.
/// Ordered: the regime's days only move forward.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GreyLifecycleScenarioTests
{
    private const uint Success = 2001;
    private const int White = 0, Black = 1, Grey = 2;

    // 14-digit IMEIs on no list at the start; each test owns its own.
    private const string Unknown = "35274108000011";
    private const string VerifiedLater = "35274108000028";
    private const string Stolen = "35274108000035";
    private const string RoamerUnknown = "35274108000042";
    private const string M2mDevice = "86000123000051";
    private const string ExpiresFirst = "35274108000080";
    private const string HomeUnknown = "35274108000097";

    private Cluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _cluster = await Cluster.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    [Test, Order(1)]
    public async Task An_unknown_device_is_grey_for_30_days_from_its_first_attach_then_black_and_a_second_node_keeps_the_deadline()
    {
        long day30 = _cluster.UnixDay(30);

        // Day 0: first attach anywhere in the country → grey, deadline day 30, published by the registry.
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(Unknown, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "day 0 on node A");
        Assert.That(await InProcessHost.EventuallyAsync(async () => await _cluster.RegistryRecordAsync(Unknown) is not null), Is.True,
            "the registry never received the sighting");
        JsonElement registry = (await _cluster.RegistryRecordAsync(Unknown))!.Value;
        Assert.That(registry.GetProperty("list").GetString(), Is.EqualTo("grey"));
        Assert.That(registry.GetProperty("reason").GetString(), Is.EqualTo("unverified"));
        Assert.That(Cluster.Deadline(registry), Is.EqualTo(day30), "deadline = first seen + 30 days");
        Assert.That(registry.GetProperty("history")[0].GetProperty("origin").GetString(), Is.EqualTo("sighting"));
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeB, _cluster.Http, Unknown, "grey", day30), Is.True,
            "node B did not get the registry's grey record over the feed");

        // Day 5: node B sees the same IMEI → still grey, and the deadline stays day 30 everywhere.
        _cluster.AdvanceDays(5);
        double reportedByB = await MetricAsync(_cluster.NodeB, "imeieir_sightings_reported_total");
        using (var mme = new S13Client(_cluster.NodeB.Diameter))
            Assert.That(mme.Check(Unknown, Cluster.OtherHomeImsi), Is.EqualTo((Success, 0u, Grey)), "day 5 on node B");
        // Node B reports the attach; once the registry has acknowledged it, a (wrong) second deadline would be published.
        Assert.That(await InProcessHost.EventuallyAsync(async () => await MetricAsync(_cluster.NodeB, "imeieir_sightings_reported_total") > reportedByB),
            Is.True, "the registry never acknowledged node B's sighting");
        Assert.That(Cluster.Deadline((await _cluster.RegistryRecordAsync(Unknown))!.Value), Is.EqualTo(day30), "registry deadline moved");
        Assert.That((await _cluster.RegistryRecordAsync(Unknown))!.Value.GetProperty("history").GetArrayLength(), Is.EqualTo(1),
            "a second sighting must not publish a change");
        Assert.That(Cluster.Deadline(await _cluster.NodeA.LookupAsync(_cluster.Http, Unknown)), Is.EqualTo(day30));
        Assert.That(Cluster.Deadline(await _cluster.NodeB.LookupAsync(_cluster.Http, Unknown)), Is.EqualTo(day30));

        // Day 29 (and one second before the deadline): grey.
        _cluster.AdvanceDays(24);
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(Unknown, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "day 29");
        _cluster.Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        Assert.That(await N5gStatusAsync(_cluster.NodeB, Luhn.With(Unknown), Cluster.HomeImsi), Is.EqualTo("GREYLISTED"), "1 s before the deadline");

        // Day 30: black on both interfaces, at once and by the node itself; then the registry publishes grey-expired.
        _cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(Unknown, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)), "day 30 over S13");
        Assert.That(await N5gStatusAsync(_cluster.NodeB, Luhn.With(Unknown), Cluster.HomeImsi), Is.EqualTo("BLACKLISTED"), "day 30 over N5g-eir");
        Assert.That(await InProcessHost.EventuallyAsync(async () =>
                (await _cluster.RegistryRecordAsync(Unknown))!.Value.GetProperty("list").GetString() == "black"), Is.True,
            "the registry did not expire the grey record");
        JsonElement expired = (await _cluster.RegistryRecordAsync(Unknown))!.Value;
        Assert.That(expired.GetProperty("reason").GetString(), Is.EqualTo("grey-expired"));
        Assert.That(expired.GetProperty("history")[1].GetProperty("origin").GetString(), Is.EqualTo("lifecycle"));
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeB, _cluster.Http, Unknown, "black"), Is.True, "node B never saw the expiry");
        Assert.That((await _cluster.NodeB.LookupAsync(_cluster.Http, Unknown)).GetProperty("reason").GetString(), Is.EqualTo("grey-expired"));
    }

    [Test, Order(2)]
    public async Task A_device_verified_during_its_grey_period_is_white_and_never_turns_black()
    {
        long deadline = _cluster.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds();
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(VerifiedLater, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "first attach");
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeA, _cluster.Http, VerifiedLater, "grey", deadline), Is.True);
        // The node shows its provisional record at once; the verification below must follow the registry's sighting.
        Assert.That(await InProcessHost.EventuallyAsync(async () => (await _cluster.RegistryRecordAsync(VerifiedLater)) is { } r
            && r.GetProperty("list").GetString() == "grey"), Is.True, "the registry recorded the first sighting");
        // One second later, another unknown device: its deadline falls one second after the verified one's old one.
        _cluster.Clock.Advance(TimeSpan.FromSeconds(1));
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(ExpiresFirst, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "the other device's first attach");
        Assert.That(await InProcessHost.EventuallyAsync(async () => await _cluster.RegistryRecordAsync(ExpiresFirst) is not null), Is.True,
            "the registry recorded the other device's first sighting");

        _cluster.AdvanceDays(10);
        await _cluster.PushAsync($"set,{VerifiedLater},white,verified\n");
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeA, _cluster.Http, VerifiedLater, "white"), Is.True);
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(VerifiedLater, Cluster.HomeImsi), Is.EqualTo((Success, 0u, White)), "day 10, verified");

        _cluster.AdvanceDays(25); // past the old deadline
        // The expiry loop has passed the old deadline once it expired the device due one second after it.
        Assert.That(await InProcessHost.EventuallyAsync(async () =>
                (await _cluster.RegistryRecordAsync(ExpiresFirst))!.Value.GetProperty("list").GetString() == "black"), Is.True,
            "the registry did not expire the other device");
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(VerifiedLater, Cluster.HomeImsi), Is.EqualTo((Success, 0u, White)), "day 35");
        JsonElement registry = (await _cluster.RegistryRecordAsync(VerifiedLater))!.Value;
        Assert.That(registry.GetProperty("list").GetString(), Is.EqualTo("white"));
        Assert.That(registry.GetProperty("history").GetArrayLength(), Is.EqualTo(2), "sighting, verification: nothing else");
    }

    [Test, Order(3)]
    public async Task A_stolen_device_is_black_for_home_subscribers_and_roamers_alike()
    {
        await _cluster.PushAsync($"set,{Stolen},black,stolen\n");
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeB, _cluster.Http, Stolen, "black"), Is.True);
        using var mme = new S13Client(_cluster.NodeB.Diameter);
        Assert.That(mme.Check(Stolen, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)), "home subscriber");
        Assert.That(mme.Check(Stolen, Cluster.RoamerImsi), Is.EqualTo((Success, 0u, Black)), "roamer");
        Assert.That(await N5gStatusAsync(_cluster.NodeB, Luhn.With(Stolen), Cluster.RoamerImsi), Is.EqualTo("BLACKLISTED"));
    }

    [Test, Order(4)]
    public async Task A_roamer_with_an_unknown_device_is_white_and_reported_to_nobody()
    {
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(RoamerUnknown, Cluster.RoamerImsi), Is.EqualTo((Success, 0u, White)));
        Assert.That(await N5gStatusAsync(_cluster.NodeA, Luhn.With(RoamerUnknown), Cluster.RoamerImsi), Is.EqualTo("WHITELISTED"));
        // A home subscriber's unknown device after it: once its sighting is in the registry, the roamer's would be too.
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(HomeUnknown, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "a home subscriber's unknown device");
        Assert.That(await InProcessHost.EventuallyAsync(async () => await _cluster.RegistryRecordAsync(HomeUnknown) is not null), Is.True,
            "the registry never received the home subscriber's sighting");
        Assert.That(await _cluster.RegistryRecordAsync(RoamerUnknown), Is.Null, "a roamer's device must not be registered");
        Assert.That((await _cluster.NodeA.LookupAsync(_cluster.Http, RoamerUnknown)).GetProperty("list").GetString(), Is.EqualTo("none"),
            "no provisional record either");
    }

    [Test, Order(5)]
    public async Task An_M2M_device_is_white_and_an_IMEI_with_a_wrong_check_digit_is_black()
    {
        using var mme = new S13Client(_cluster.NodeA.Diameter);
        Assert.That(mme.Check(M2mDevice, Cluster.HomeImsi), Is.EqualTo((Success, 0u, White)), "M2M TAC range");
        Assert.That(mme.Check(Luhn.WithWrong("35274108000066"), Cluster.HomeImsi), Is.EqualTo((Success, 0u, Black)), "wrong check digit");
        Assert.That(await N5gStatusAsync(_cluster.NodeA, Luhn.WithWrong("35274108000066"), Cluster.HomeImsi), Is.EqualTo("BLACKLISTED"));
        Assert.That(mme.Check(Luhn.With("35274108000066"), Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "the right check digit: unknown → grey");
        // That grey answer's sighting came after the M2M device's: once it is in the registry, the M2M one would be too.
        Assert.That(await InProcessHost.EventuallyAsync(async () => await _cluster.RegistryRecordAsync("35274108000066") is not null), Is.True,
            "the registry never received the sighting of the unknown device");
        Assert.That(await _cluster.RegistryRecordAsync(M2mDevice), Is.Null, "an M2M device must not be registered");
    }

    [Test, Order(6)]
    public async Task With_the_registry_down_at_the_first_sighting_the_answer_is_still_grey_and_the_sighting_arrives_later()
    {
        const string Imei = "35274108000073";
        await _cluster.StopRegistryAsync();
        long firstSeen = _cluster.Clock.GetUtcNow().ToUnixTimeSeconds();
        using (var mme = new S13Client(_cluster.NodeA.Diameter))
            Assert.That(mme.Check(Imei, Cluster.HomeImsi), Is.EqualTo((Success, 0u, Grey)), "answered while the registry is down");
        Assert.That(await InProcessHost.EventuallyAsync(async () => await MetricAsync(_cluster.NodeA, "imeieir_sightings_failed_attempts_total") > 0),
            Is.True, "the node never tried (and failed) to report");
        Assert.That(await MetricAsync(_cluster.NodeA, "imeieir_sightings_queued"), Is.GreaterThanOrEqualTo(1), "the sighting is not kept");

        _cluster.Clock.Advance(TimeSpan.FromHours(2)); // the registry comes back later that day
        await _cluster.StartRegistryAsync();
        Assert.That(await InProcessHost.EventuallyAsync(async () => await _cluster.RegistryRecordAsync(Imei) is not null), Is.True,
            "the kept sighting never arrived");
        JsonElement record = (await _cluster.RegistryRecordAsync(Imei))!.Value;
        Assert.That(Cluster.Deadline(record), Is.EqualTo(firstSeen + 30 * 86_400), "the deadline counts from the first attach, not from the report");
        Assert.That(await Cluster.NodeShowsAsync(_cluster.NodeA, _cluster.Http, Imei, "grey", firstSeen + 30 * 86_400), Is.True);
    }

    private async Task<string?> N5gStatusAsync(InProcessHost node, string imei15, string imsi)
    {
        using HttpResponseMessage response = await _cluster.Http.GetAsync(
            new Uri(node.Http, $"n5g-eir-eic/v1/equipment-status?pei=imei-{imei15}&supi=imsi-{imsi}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
    }

    private async Task<double> MetricAsync(InProcessHost node, string name)
    {
        string text = await _cluster.Http.GetStringAsync(new Uri(node.Http, "metrics"));
        return MetricsText.Value(text, name);
    }
}
