using System.Net;
using System.Net.Sockets;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// IronLB's real speaker (`ironlb speaker --manifests`, AS 64513) in a node namespace, a real router (AS 64512) in
/// another: what the router holds is exactly what the manifests say this node announces, with the node's link address
/// as next hop and [64513] as AS path; a deleted Service and a killed speaker take their paths with them.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropTests
{
    private static readonly IPNetwork Web4 = IPNetwork.Parse("203.0.113.10/32");
    private static readonly IPNetwork Web6 = IPNetwork.Parse("2001:db8:ba::10/128");

    private static string Services(bool withWeb4) => ManifestYaml.Join(
        [.. withWeb4 ? [ManifestYaml.Service("web", "web4", ["203.0.113.10"], 443, assigned: true)] : Array.Empty<string>(),
         ManifestYaml.Service("web", "web6", ["2001:db8:ba::10"], 443, assigned: true)]);

    [Theory]
    [InlineData("frr")]
    [InlineData("bird")]
    public async Task The_router_holds_each_Service_address_until_the_Service_or_the_speaker_goes(string software)
    {
        RouterRequirements.Need(software);
        await using var t = await SpeakerTopology.CreateAsync(software, nodes: 1, RouterAsn, NodeAsn);
        var node = t.Nodes[0];
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24", "2001:db8:ba::/64"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        t.Write("services.yaml", Services(withWeb4: true));
        t.StartSpeaker(node);

        var view = await t.UntilAsync(v => v.PathsTo(Web4).Any() && v.PathsTo(Web6).Any(), $"paths to {Web4} and {Web6} from the speaker");
        Assert.Empty(view.Drops);
        var linkLocal = await RouterNet.LinkLocalAsync(node.Netns, node.Link.Device);
        foreach (var prefix in new[] { Web4, Web6 })
        {
            var path = Assert.Single(view.PathsTo(prefix));
            // IPv6: the global address the speaker sends, or the link-local one beside it, which FRR may prefer.
            IPAddress[] nextHops = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? [node.Link.A4] : [node.Link.A6, linkLocal];
            Assert.Contains(path.NextHop, nextHops);
            Assert.Equal([NodeAsn], path.AsPath);
        }

        Assert.All([node.Link.A4, node.Link.A6], a => Assert.True(view.Neighbour(a)?.Established, $"{a} not Established: {view}"));

        // The IPv4 Service leaves the manifests: its prefix goes, and only it.
        t.Write("services.yaml", Services(withWeb4: false));
        view = await t.UntilAsync(v => !v.PathsTo(Web4).Any(), $"{Web4} withdrawn after its Service was deleted");
        Assert.Single(view.PathsTo(Web6));

        // SIGKILL: no Cease is sent, but the kernel closes the dead process's connections, and the router drops its paths.
        await t.KillSpeakerAsync(node);
        await t.UntilAsync(v => !v.PathsTo(Web6).Any() && v.Paths.IsEmpty, "every path of the killed speaker dropped");
    }
}
