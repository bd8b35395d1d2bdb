using System.Text;
using IronLb.Speaker.Cluster;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// The ring's API mode with three in-process speakers against KubeSim, when no heartbeat gets through anywhere: each
/// speaker has its own membership key, so every datagram fails its MAC, as if UDP 7947 were blocked on every node.
/// The Leases then decide: every address gets exactly its winner among the speakers whose Leases are fresh, a stopped
/// speaker's share moves once its Lease is stale, and no address ever has two announcers on the way.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class ApiModeClusterTests
{
    private static readonly string[] Nodes = ["amn1", "amn2", "amn3"];

    /// <summary>Longer than the cluster tests' 1 s, so a busy machine's watch delays stay well inside API mode's margins.</summary>
    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task With_heartbeats_failing_everywhere_the_Leases_elect_one_announcer_per_address()
    {
        var shares = Nodes.ToDictionary(
            n => n,
            n => Enumerable.Range(177, 14).Select(i => $"192.0.2.{i}").First(ip => SpeakerCluster.ElectionOrder(ip, Nodes)[0] == n),
            StringComparer.Ordinal);
        await using var cluster = await SpeakerCluster.StartAsync(Nodes);
        await cluster.CreatePoolAsync("external", "[\"192.0.2.176/28\"]");
        await cluster.CreateAdvertisementAsync("external", "external");
        foreach (var (node, ip) in shares)
        {
            await cluster.CreateServiceAsync("web", "svc-" + node, [ip], Nodes);
        }

        foreach (var node in Nodes)
        {
            cluster.Start(node, key: Encoding.ASCII.GetBytes($"{node}-key-that-nobody-else-holds-0123456789"), leaseRenewInterval: RenewInterval);
        }

        var doubles = new List<string>();
        await SpeakerCluster.EventuallyAsync(() => Winners(cluster, shares.Values, Nodes, doubles), ok => ok, "every address announced by its winner among all three, through the Leases", seconds: 120);
        var leases = await cluster.LeasesAsync();
        Assert.All(Nodes, n => Assert.Equal(SpeakerLease.ApiMode, leases.Single(l => l.Metadata.Name == SpeakerLease.Name(n)).Metadata.Annotations[SpeakerLease.StateAnnotation]));
        Assert.All(Nodes, n => Assert.Equal(IronLb.Speaker.Membership.MembershipMode.Api, cluster.Speaker(n).View.Mode));

        // A stopped speaker renews no more: once its Lease is stale (three periods) the others take its share.
        var stopped = Nodes[0];
        await cluster.StopAsync(stopped);
        var left = Nodes.Skip(1).ToArray();
        await SpeakerCluster.EventuallyAsync(() => Winners(cluster, shares.Values, left, doubles), ok => ok, $"{stopped}'s address moved to its winner among the other two", seconds: 120);
        Assert.Empty(doubles);
    }

    /// <summary>Whether every address has exactly its winner among <paramref name="speakers"/>; any address with two announcers is recorded.</summary>
    private static bool Winners(SpeakerCluster cluster, IEnumerable<string> addresses, IReadOnlyCollection<string> speakers, List<string> doubles)
    {
        var ok = true;
        foreach (var ip in addresses)
        {
            var announcers = cluster.AnnouncersOf(ip);
            if (announcers.Count > 1)
            {
                doubles.Add($"{ip}: {string.Join(", ", announcers)}");
            }

            ok &= announcers.SequenceEqual([SpeakerCluster.ElectionOrder(ip, speakers)[0]]);
        }

        return ok;
    }
}
