using System.Collections.Concurrent;
using IronLb.Speaker.Cluster;
using IronLb.Speaker.Membership;
using k8s;
using k8s.Models;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// Issue 14, findings 2 and 7, against KubeSim with three in-process speakers: deleting every Lease and every
/// ConfigurationState moves nothing and the Leases come back; a speaker that has never had a valid
/// configuration is left out of every speaker's election, and joins once the configuration is valid.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class SpeakerLeaseTests
{
    private static readonly string[] Nodes = ["lsn1", "lsn2", "lsn3"];

    /// <summary>For each node, an address from the pool it wins among all three: every node has a share.</summary>
    private static Dictionary<string, string> OneAddressPerNode() =>
        Nodes.ToDictionary(
            n => n,
            n => Enumerable.Range(177, 14).Select(i => $"192.0.2.{i}").First(ip => SpeakerCluster.ElectionOrder(ip, Nodes)[0] == n),
            StringComparer.Ordinal);

    private static async Task<SpeakerCluster> CampusAsync(Dictionary<string, string> shares)
    {
        var cluster = await SpeakerCluster.StartAsync(Nodes);
        await cluster.CreatePoolAsync("external", "[\"192.0.2.176/28\"]");
        await cluster.CreateAdvertisementAsync("external", "external");
        foreach (var (node, ip) in shares)
        {
            await cluster.CreateServiceAsync("web", "svc-" + node, [ip], Nodes);
        }

        return cluster;
    }

    /// <summary>Each address announced by exactly the winner among <paramref name="speakers"/>.</summary>
    private static bool EachByItsWinner(SpeakerCluster cluster, IEnumerable<string> addresses, IReadOnlyCollection<string> speakers) =>
        addresses.All(ip => cluster.AnnouncersOf(ip).SequenceEqual([SpeakerCluster.ElectionOrder(ip, speakers)[0]]));

    [Fact]
    public async Task Deleting_every_Lease_and_ConfigurationState_moves_no_address_and_the_Leases_come_back()
    {
        var shares = OneAddressPerNode();
        await using var cluster = await CampusAsync(shares);
        foreach (var node in Nodes)
        {
            cluster.Start(node);
        }

        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, Nodes), ok => ok, "every address announced by its winner");
        var leases = await SpeakerCluster.EventuallyAsync(cluster.LeasesAsync, l => Nodes.All(n => Answering(l, n)), "three Leases saying answering");
        var before = Nodes.ToDictionary(n => n, n => string.Join(' ', cluster.Announced(n)), StringComparer.Ordinal);
        var first = Assert.Single(leases, l => l.Metadata.Name == "ironlb-speaker-lsn1");
        Assert.Equal("lsn1", first.Spec.HolderIdentity);
        Assert.Equal(4, first.Spec.LeaseDurationSeconds);
        Assert.StartsWith("127.0.0.1:", first.Metadata.Annotations[SpeakerLease.EndpointAnnotation], StringComparison.Ordinal);

        // Sample every announce table while the objects are gone: no speaker may change what it announces.
        var changes = new ConcurrentQueue<string>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                foreach (var node in Nodes)
                {
                    var now = string.Join(' ', cluster.Announced(node));
                    if (now != before[node])
                    {
                        changes.Enqueue($"{node}: [{before[node]}] -> [{now}]");
                    }
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        foreach (var state in await cluster.ListAsync("configurationstates"))
        {
            await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "configurationstates", state.GetProperty("metadata").GetProperty("name").GetString());
        }

        foreach (var lease in leases)
        {
            await cluster.Client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, "metallb-system");
        }

        Assert.Empty(await cluster.ListAsync("configurationstates"));
        await SpeakerCluster.EventuallyAsync(cluster.LeasesAsync, l => Nodes.All(n => Answering(l, n)) && l.All(x => !leases.Any(old => old.Metadata.Uid == x.Metadata.Uid)), "every Lease re-created by its owner");

        // Two more renewal periods with the new Leases, then the verdict.
        await Task.Delay(SpeakerCluster.LeaseRenewInterval * 2);
        await stopSampling.CancelAsync();
        await sampling;
        Assert.Empty(changes);
        Assert.All(Nodes, n => Assert.Equal(Nodes, cluster.Speaker(n).View.Live.ToList()));
    }

    [Fact]
    public async Task A_speaker_restarted_while_every_Lease_is_gone_answers_for_no_other_node_s_share()
    {
        var shares = OneAddressPerNode();
        await using var cluster = await CampusAsync(shares);
        foreach (var node in Nodes)
        {
            cluster.Start(node);
        }

        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, Nodes), ok => ok, "every address announced by its winner");
        var restarted = Nodes[0];
        var others = Nodes.Where(n => n != restarted).ToList();
        await cluster.StopAsync(restarted);
        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, others), ok => ok, "the others covering the stopped node's share");
        foreach (var lease in await cluster.LeasesAsync())
        {
            await cluster.Client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, "metallb-system");
        }

        // Knowing no peer, it must not become a quorum of one: it waits for the Leases (or one and a half periods).
        var grabbed = new ConcurrentQueue<string>();
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var foreign = cluster.Announced(restarted).Where(ip => ip != shares[restarted]).ToList();
                if (foreign.Count > 0)
                {
                    grabbed.Enqueue(string.Join(' ', foreign));
                }

                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);
        cluster.Start(restarted);
        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, Nodes), ok => ok, "the restarted node back with its own share");
        await stopSampling.CancelAsync();
        await sampling;
        Assert.Empty(grabbed);
    }

    [Fact]
    public async Task A_speaker_that_never_had_a_valid_configuration_is_left_out_until_it_has_one()
    {
        var shares = OneAddressPerNode();
        await using var cluster = await CampusAsync(shares);
        var late = Nodes[2];
        var early = Nodes.Where(n => n != late).ToList();
        foreach (var node in early)
        {
            cluster.Start(node);
        }

        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, early), ok => ok, "the two early speakers sharing every address");

        // The configuration turns invalid (an overlapping pool): the early speakers keep their old good one.
        await cluster.CreatePoolAsync("overlap", "[\"192.0.2.176/29\"]");
        await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("configurationstates"), l => l.Count(s => Result(s) == "Invalid") == 2, "both early speakers reporting Invalid");

        cluster.Start(late);
        await SpeakerCluster.EventuallyAsync(cluster.LeasesAsync, l => State(l, late) == SpeakerLease.NotEligible, "the late speaker's Lease saying not eligible");
        await SpeakerCluster.EventuallyAsync(
            () => Nodes.All(n => cluster.Speaker(n).View.Excluded.GetValueOrDefault(late) == ExclusionReason.NotEligible && cluster.Speaker(n).View.Live.SequenceEqual(early)),
            ok => ok,
            "every speaker, the late one too, leaving it out of the election");

        // Its share is answered by the others, and only by them; the early speakers still answer as before.
        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, early), ok => ok, "the late node's share covered by the early ones");
        Assert.Empty(cluster.Announced(late));
        // A Lease says a change within a second, and a stall of the loaded test machine can fence an early speaker for a
        // moment while the late one starts: wait for the state, as for every other one here.
        await SpeakerCluster.EventuallyAsync(cluster.LeasesAsync, l => early.All(n => Answering(l, n)), "the early speakers' Leases saying answering");

        // Valid again: the late speaker becomes eligible, everybody elects over three, and its share moves to it.
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "overlap");
        await SpeakerCluster.EventuallyAsync(() => EachByItsWinner(cluster, shares.Values, Nodes), ok => ok, "every address with its winner among three");
        Assert.Equal([shares[late]], cluster.Announced(late));
        await SpeakerCluster.EventuallyAsync(cluster.LeasesAsync, l => Answering(l, late), "the late speaker's Lease saying answering");
    }

    private static string? State(IEnumerable<V1Lease> leases, string node) =>
        leases.FirstOrDefault(l => l.Metadata.Name == SpeakerLease.Name(node))?.Metadata.Annotations?.TryGetValue(SpeakerLease.StateAnnotation, out var state) == true ? state : null;

    private static bool Answering(IEnumerable<V1Lease> leases, string node) => State(leases, node) == SpeakerLease.Answering;

    private static string? Result(System.Text.Json.JsonElement state) =>
        state.TryGetProperty("status", out var status) && status.TryGetProperty("result", out var result) ? result.GetString() : null;
}
