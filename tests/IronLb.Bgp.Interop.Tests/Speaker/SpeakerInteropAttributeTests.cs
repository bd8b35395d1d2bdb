using System.Net;
using IronLb.Testing.Manifests;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// iBGP (AS 64512 on both ends) from IronLB's speaker to FRR and to BIRD: a BGPAdvertisement's LOCAL_PREF, its standard and large
/// communities and a Community alias reach the router as attributes, and a second advertisement's aggregationLength
/// reaches it as the aggregate, not the Service's own /32.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropAttributeTests
{
    private const uint Asn = 64512;
    private static readonly IPNetwork Web4 = IPNetwork.Parse("203.0.113.10/32");
    private static readonly IPNetwork Web6 = IPNetwork.Parse("2001:db8:ba::10/128");
    private static readonly IPNetwork Aggregate = IPNetwork.Parse("192.0.2.0/24");
    private static readonly IPNetwork Aggregated = IPNetwork.Parse("192.0.2.77/32");

    [Theory]
    [InlineData("frr")]
    [InlineData("bird")]
    public async Task Local_preference_communities_and_aggregation_reach_the_router_over_iBGP(string software)
    {
        RouterRequirements.Need(software);
        await using var t = await SpeakerTopology.CreateAsync(software, nodes: 1, Asn, Asn);
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(Asn, Asn),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24", "2001:db8:ba::/64"),
            BgpYaml.Community("aliases", "gold", "64512:300"),
            BgpYaml.Advertisement("tagged", SpeakerTopology.Pool, "localPref: 250", """communities: ["65535:65282", "large:1:2:3", gold]"""),
            BgpYaml.Pool("agg-pool", "192.0.2.0/24"),
            BgpYaml.Advertisement("aggregated", "agg-pool", "aggregationLength: 24")));
        t.Write("services.yaml", ManifestYaml.Join(
            ManifestYaml.Service("web", "web4", ["203.0.113.10"], 443, assigned: true),
            ManifestYaml.Service("web", "web6", ["2001:db8:ba::10"], 443, assigned: true),
            ManifestYaml.Service("web", "agg", ["192.0.2.77"], 80, assigned: true)));
        t.StartSpeaker(t.Nodes[0]);

        var view = await t.UntilAsync(v => new[] { Web4, Web6, Aggregate }.All(p => v.PathsTo(p).Any()), $"paths to {Web4}, {Web6} and {Aggregate}");
        Assert.Empty(view.Drops);
        foreach (var prefix in new[] { Web4, Web6 })
        {
            var path = Assert.Single(view.PathsTo(prefix));
            Assert.Equal(250u, path.LocalPref);
            Assert.Empty(path.AsPath); // iBGP: our own AS is not prepended
            Assert.Equal(["64512:300", "65535:65282"], path.Communities.Select(WellKnownAsNumbers).Order(StringComparer.Ordinal));
            Assert.Equal(["1:2:3"], path.LargeCommunities);
        }

        // The aggregate carries none of the first advertisement's attributes, and the Service's own /32 is not sent.
        var aggregate = Assert.Single(view.PathsTo(Aggregate));
        Assert.Empty(aggregate.Communities);
        Assert.Empty(view.PathsTo(Aggregated));
    }

    /// <summary>FRR names RFC 1997's well-known communities (BIRD shows numbers); the rows compare numbers.</summary>
    private static string WellKnownAsNumbers(string community) => community switch
    {
        "noAdvertise" => "65535:65282",
        "noExport" => "65535:65281",
        _ => community,
    };
}
