using System.Collections.Concurrent;
using System.Text.Json;
using IronLb.Speaker.Conflicts;
using k8s;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// Address conflicts (issue 16) through the speaker's evaluation, against KubeSim, with the LAN in the test's hands:
/// a new address another host answers for is held back and reported (event, ServiceL2Status condition, gauge) and
/// announced once the host is silent; an address held at start is announced without a probe; a claim against it is
/// reported and defended once, and it stays announced; an IronLB peer's MAC is never a conflict.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class SpeakerConflictTests
{
    private const string Address = "192.0.2.5";
    private const string Rogue = "02:00:00:00:00:99";
    private static readonly Func<IReadOnlySet<string>?> OneInterface = () => new HashSet<string>(StringComparer.Ordinal) { "eno2" };

    [Fact]
    public async Task A_new_address_another_host_answers_for_is_held_back_reported_and_announced_once_the_host_is_silent()
    {
        await using var cluster = await SpeakerCluster.StartAsync("node-a");
        await cluster.CreatePoolAsync("pool", "[\"192.0.2.0/28\"]");
        await cluster.CreateAdvertisementAsync("l2", "pool");
        var lan = new FakeLan { Holder = Rogue };
        cluster.Start("node-a", OneInterface, conflicts: lan.Hooks(["02:00:00:00:00:0a"]));
        await SpeakerCluster.EventuallyAsync(() => cluster.Speaker("node-a").Ready, r => r, "the speaker's first evaluation");

        await cluster.CreateServiceAsync("web", "www", [Address], ["node-a"]);

        var warning = await EventAsync(cluster, "addressConflict");
        Assert.Equal("Warning", warning.Type);
        Assert.Contains($"{Address} on eno2 is in use by {Rogue}", warning.Message, StringComparison.Ordinal);
        Assert.Contains(Address, lan.Probed);
        Assert.DoesNotContain(Address, cluster.Announced("node-a"));
        var held = await ConditionAsync(cluster, c => c.GetProperty("status").GetString() == "True");
        Assert.Equal("AddressInUse", held.GetProperty("reason").GetString());
        Assert.Contains(cluster.Speaker("node-a").ConflictGauges, g => g.Address.ToString() == Address && g.Active);

        // The other host goes silent: the next round (within the first back-off, 1 s) finds nobody.
        lan.Holder = null;
        await SpeakerCluster.EventuallyAsync(() => cluster.Announced("node-a"), a => a.Contains(Address), "announced once nobody answers");
        var cleared = await ConditionAsync(cluster, c => c.GetProperty("status").GetString() == "False");
        Assert.Equal("NoConflict", cleared.GetProperty("reason").GetString());
        Assert.Equal("Normal", (await EventAsync(cluster, "addressConflictResolved")).Type);
        Assert.Contains(cluster.Speaker("node-a").ConflictGauges, g => g.Address.ToString() == Address && !g.Active);
    }

    [Fact]
    public async Task An_address_held_at_start_is_announced_without_a_probe_and_a_claim_is_reported_and_defended_once()
    {
        await using var cluster = await SpeakerCluster.StartAsync("node-a");
        await cluster.CreatePoolAsync("pool", "[\"192.0.2.0/28\"]");
        await cluster.CreateAdvertisementAsync("l2", "pool");
        await cluster.CreateServiceAsync("web", "www", [Address], ["node-a"]);
        var lan = new FakeLan { Holder = Rogue };
        cluster.Start("node-a", OneInterface, conflicts: lan.Hooks(["02:00:00:00:00:0a"]));
        await SpeakerCluster.EventuallyAsync(() => cluster.Announced("node-a"), a => a.Contains(Address), "announced at once");
        Assert.Empty(lan.Probed);

        var speaker = cluster.Speaker("node-a");
        speaker.ObserveClaim(new ObservedClaim(System.Net.IPAddress.Parse(Address), new ForeignHost("eno2", Rogue)));
        var warning = await EventAsync(cluster, "addressConflict");
        Assert.Contains($"{Rogue} claims {Address} on eno2", warning.Message, StringComparison.Ordinal);
        var claimed = await ConditionAsync(cluster, c => c.GetProperty("status").GetString() == "True");
        Assert.Equal("AddressClaimed", claimed.GetProperty("reason").GetString());

        // More claims within the defend interval: still announced, no second defence.
        var evaluations = speaker.Evaluations;
        speaker.ObserveClaim(new ObservedClaim(System.Net.IPAddress.Parse(Address), new ForeignHost("eno2", Rogue)));
        await SpeakerCluster.EventuallyAsync(() => speaker.Evaluations, e => e > evaluations + 1, "two more evaluations");
        Assert.Contains(Address, cluster.Announced("node-a"));
        Assert.Equal([Address], lan.Defended);
    }

    [Fact]
    public async Task A_claim_from_an_IronLB_peer_s_MAC_is_a_hand_over_not_a_conflict()
    {
        await using var cluster = await SpeakerCluster.StartAsync("node-a", "node-b");
        await cluster.CreatePoolAsync("pool", "[\"192.0.2.0/28\"]");
        await cluster.CreateAdvertisementAsync("l2", "pool");
        await cluster.CreateServiceAsync("web", "www", [Address], ["node-a", "node-b"]);
        var lan = new FakeLan();
        cluster.Start("node-a", OneInterface, conflicts: lan.Hooks(["02:00:00:00:00:0a"]));
        cluster.Start("node-b", OneInterface, conflicts: lan.Hooks(["02:00:00:00:00:0b"]));
        var owner = (await SpeakerCluster.EventuallyAsync(() => Task.FromResult(cluster.AnnouncersOf(Address)), a => a.Count == 1, "one announcer"))[0];
        var peerMac = owner == "node-a" ? "02:00:00:00:00:0b" : "02:00:00:00:00:0a";
        await SpeakerCluster.EventuallyAsync(
            async () => (await cluster.LeasesAsync()).Select(l => l.Metadata.Annotations is { } a && a.TryGetValue("ironlb.io/macs", out var m) ? m : "").ToList(),
            macs => macs.Contains(peerMac), "the peer's MACs on its Lease");

        var speaker = cluster.Speaker(owner);
        var evaluations = speaker.Evaluations;
        speaker.ObserveClaim(new ObservedClaim(System.Net.IPAddress.Parse(Address), new ForeignHost("eno2", peerMac)));
        await SpeakerCluster.EventuallyAsync(() => speaker.Evaluations, e => e > evaluations + 1, "two more evaluations");
        Assert.Empty(lan.Defended);
        Assert.Empty(speaker.ConflictGauges);
        Assert.DoesNotContain((await cluster.Client.CoreV1.ListNamespacedEventAsync("web")).Items, e => e.Reason == "addressConflict");
    }

    private static Task<k8s.Models.Corev1Event> EventAsync(SpeakerCluster cluster, string reason) =>
        SpeakerCluster.EventuallyAsync<k8s.Models.Corev1Event?>(
            async () => (await cluster.Client.CoreV1.ListNamespacedEventAsync("web")).Items.FirstOrDefault(e => e.Reason == reason),
            e => e is not null, $"a {reason} event").ContinueWith(t => t.Result!, TaskScheduler.Default);

    private static Task<JsonElement> ConditionAsync(SpeakerCluster cluster, Func<JsonElement, bool> wanted) =>
        SpeakerCluster.EventuallyAsync(
            async () => (await cluster.ListAsync("servicel2statuses"))
                .SelectMany(s => s.TryGetProperty("status", out var st) && st.TryGetProperty("conditions", out var cs) ? cs.EnumerateArray().ToList() : [])
                .Where(c => c.GetProperty("type").GetString() == "AddressConflict")
                .ToList(),
            l => l.Count == 1 && wanted(l[0]), "the AddressConflict condition").ContinueWith(t => t.Result[0], TaskScheduler.Default);

    /// <summary>The LAN as the speaker's hooks see it: one other host that answers every probe while it holds the address.</summary>
    private sealed class FakeLan
    {
        private readonly ConcurrentQueue<string> _probed = new();
        private readonly ConcurrentQueue<string> _defended = new();

        public volatile string? Holder;

        public IReadOnlyList<string> Probed => [.. _probed];

        public IReadOnlyList<string> Defended => [.. _defended];

        public SpeakerCluster.ConflictHooks Hooks(IReadOnlyList<string> ownMacs) => new(
            async (request, ct) =>
            {
                _probed.Enqueue(request.Address.ToString());
                await Task.Delay(50, ct);
                return new ProbeResult(request.Address, Holder is { } mac ? [.. request.Interfaces.Select(i => new ForeignHost(i, mac))] : []);
            },
            request =>
            {
                _defended.Enqueue(request.Address.ToString());
                return 2;
            },
            () => ownMacs);
    }
}
