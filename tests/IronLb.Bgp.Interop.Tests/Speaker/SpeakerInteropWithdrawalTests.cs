using System.Net;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// Withdrawals through the real speaker and FRR, each a manifest change: a pool removed, a Node's labels no longer
/// matching an advertisement's or a peer's nodeSelector, an externalTrafficPolicy Cluster Service's last ready endpoint
/// gone. In each, FRR drops exactly the paths the change takes away and keeps every other one.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropWithdrawalTests
{
    private const string OtherPool = "other-pool";

    [Fact]
    public async Task Removing_a_pool_withdraws_its_Services_and_keeps_the_other_pools()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        IPNetwork kept = IPNetwork.Parse("203.0.113.60/32"), removed = IPNetwork.Parse("198.51.100.60/32");
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn),
            BgpYaml.Advertisement("kept", SpeakerTopology.Pool),
            BgpYaml.Advertisement("removed", OtherPool)));
        t.Write("pools.yaml", Pools(withOther: true));
        t.Write("services.yaml", ManifestYaml.Join(
            ManifestYaml.Service("web", "kept", ["203.0.113.60"], 443, assigned: true),
            ManifestYaml.Service("web", "removed", ["198.51.100.60"], 443, assigned: true)));
        t.StartSpeaker(t.Nodes[0]);
        await t.UntilAsync(v => v.PathsTo(kept).Any() && v.PathsTo(removed).Any(), $"{kept} and {removed} held");

        // The IPAddressPool goes (its advertisement stays, naming a pool that no longer exists: a warning, not an error).
        t.Write("pools.yaml", Pools(withOther: false));
        var view = await t.UntilAsync(v => !v.PathsTo(removed).Any(), $"{removed} withdrawn with its pool");
        Assert.Single(view.PathsTo(kept));
    }

    [Fact]
    public async Task A_Node_label_change_drops_the_advertisement_and_then_the_session_it_no_longer_matches()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        var node = t.Nodes[0];
        IPNetwork always = IPNetwork.Parse("203.0.113.70/32"), labelled = IPNetwork.Parse("198.51.100.70/32"), overV6 = IPNetwork.Parse("2001:db8:ba::70/128");
        t.Write("config.yaml", ManifestYaml.Join(
            // The IPv6 session is only for nodes labelled peer-v6; the other pool's advertisement only for nodes labelled adv.
            BgpYaml.Peer($"{node.Name}-v4", node.Name, NodeAsn, RouterAsn, node.Link.B4),
            BgpYaml.Peer($"{node.Name}-v6", node.Name, NodeAsn, RouterAsn, node.Link.B6)
                .Replace($"{{kubernetes.io/hostname: {node.Name}}}", $"{{kubernetes.io/hostname: {node.Name}, peer-v6: \"yes\"}}", StringComparison.Ordinal),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24", "2001:db8:ba::/64"),
            BgpYaml.Advertisement("always", SpeakerTopology.Pool),
            BgpYaml.Pool(OtherPool, "198.51.100.0/24"),
            BgpYaml.Advertisement("labelled", OtherPool, """nodeSelectors: [{matchLabels: {adv: "yes"}}]""")));
        t.Write("node.yaml", BgpYaml.Node(node.Name, "adv: \"yes\"", "peer-v6: \"yes\""));
        t.Write("services.yaml", ManifestYaml.Join(
            ManifestYaml.Service("web", "always", ["203.0.113.70"], 443, assigned: true),
            ManifestYaml.Service("web", "v6", ["2001:db8:ba::70"], 443, assigned: true),
            ManifestYaml.Service("web", "labelled", ["198.51.100.70"], 443, assigned: true)));
        t.StartSpeaker(node);
        await t.UntilAsync(v => new[] { always, labelled, overV6 }.All(p => v.PathsTo(p).Any()), $"{always}, {labelled} and {overV6} held");

        // The advertisement's label goes: its prefix is withdrawn; both sessions stay up.
        t.Write("node.yaml", BgpYaml.Node(node.Name, "peer-v6: \"yes\""));
        var view = await t.UntilAsync(v => !v.PathsTo(labelled).Any(), $"{labelled} withdrawn once the Node lost label adv");
        Assert.Single(view.PathsTo(always));
        Assert.Single(view.PathsTo(overV6));
        Assert.All([node.Link.A4, node.Link.A6], a => Assert.True(view.Neighbour(a)?.Established, $"{a} not Established: {view}"));

        // The peer's label goes: the IPv6 session closes and its path with it; the IPv4 session and its path stay.
        t.Write("node.yaml", BgpYaml.Node(node.Name));
        view = await t.UntilAsync(v => v.Neighbour(node.Link.A6)?.Established == false && !v.PathsTo(overV6).Any(), "the IPv6 session down once the Node lost label peer-v6");
        Assert.Single(view.PathsTo(always));
        Assert.True(view.Neighbour(node.Link.A4)?.Established, $"the IPv4 session went down too: {view}");
    }

    [Fact]
    public async Task A_Cluster_policy_Service_is_withdrawn_when_its_last_endpoint_stops_being_ready()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        IPNetwork served = IPNetwork.Parse("203.0.113.80/32"), witness = IPNetwork.Parse("203.0.113.81/32");
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn),
            ManifestYaml.Node("elsewhere"),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        // The witness has no EndpointSlice in the manifests, which file mode takes as ready everywhere.
        t.Write("services.yaml", ManifestYaml.Join(
            ManifestYaml.Service("web", "served", ["203.0.113.80"], 443, assigned: true),
            ManifestYaml.Service("web", "witness", ["203.0.113.81"], 443, assigned: true)));
        // Cluster policy: an endpoint on another node is enough for this node to announce.
        t.Write("slices.yaml", BgpYaml.EndpointSlice("web", "served", "elsewhere", "198.51.100.50"));
        t.StartSpeaker(t.Nodes[0]);
        await t.UntilAsync(v => v.PathsTo(served).Any() && v.PathsTo(witness).Any(), $"{served} and {witness} held");

        t.Write("slices.yaml", BgpYaml.EndpointSlice("web", "served", "elsewhere", "198.51.100.50", ready: false));
        var view = await t.UntilAsync(v => !v.PathsTo(served).Any(), $"{served} withdrawn once no endpoint anywhere is ready");
        Assert.Single(view.PathsTo(witness));

        t.Write("slices.yaml", BgpYaml.EndpointSlice("web", "served", "elsewhere", "198.51.100.50"));
        await t.UntilAsync(v => v.PathsTo(served).Any(), $"{served} announced again once its endpoint is ready");
    }

    private static string Pools(bool withOther) => ManifestYaml.Join(
        [BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"), .. withOther ? [BgpYaml.Pool(OtherPool, "198.51.100.0/24")] : Array.Empty<string>()]);
}
