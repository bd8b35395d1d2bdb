using System.Net;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// externalTrafficPolicy Local through the real speaker and FRR: a Service whose only ready endpoint is on another node
/// is not announced by this node; once its EndpointSlice puts the endpoint here, it is.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropEndpointTests
{
    private static readonly IPNetwork Local = IPNetwork.Parse("203.0.113.20/32");
    private static readonly IPNetwork Cluster = IPNetwork.Parse("203.0.113.21/32");

    [Fact]
    public async Task A_Local_Service_is_announced_only_while_this_node_has_its_endpoint()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        var node = t.Nodes[0];
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn),
            ManifestYaml.Node("elsewhere"),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        // The Cluster-policy Service is the witness: once it is held, the speaker has planned (and sent) everything.
        t.Write("services.yaml", ManifestYaml.Join(
            ManifestYaml.Service("web", "local", ["203.0.113.20"], 443, assigned: true)
                .Replace("spec: {type: LoadBalancer,", "spec: {type: LoadBalancer, externalTrafficPolicy: Local,", StringComparison.Ordinal),
            ManifestYaml.Service("web", "cluster", ["203.0.113.21"], 443, assigned: true)));
        t.Write("slices.yaml", BgpYaml.EndpointSlice("web", "local", "elsewhere", "198.51.100.50"));
        t.StartSpeaker(node);

        var view = await t.UntilAsync(v => v.PathsTo(Cluster).Any(), $"{Cluster} (Cluster policy) held");
        Assert.Empty(view.PathsTo(Local));

        t.Write("slices.yaml", BgpYaml.EndpointSlice("web", "local", node.Name, "198.51.100.50"));
        view = await t.UntilAsync(v => v.PathsTo(Local).Any(), $"{Local} announced once its endpoint is on {node.Name}");
        Assert.Equal(node.Link.A4, Assert.Single(view.PathsTo(Local)).NextHop);
    }
}
