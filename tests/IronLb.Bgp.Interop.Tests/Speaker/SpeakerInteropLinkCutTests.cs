using System.Net;
using System.Text.Json;
using IronLb.Lab.Routers;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// A link cut between the real speaker and FRR, with a 3 s hold time (keepalive 1 s) on the BGPPeer: nftables in the
/// node's namespace drops every packet both ways, so the router's side of the veth stays up and no RST or FIN ever
/// arrives. FRR can only notice the silence, and so drops the speaker's paths when its hold timer expires, which its
/// own account of the session's last reset says.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropLinkCutTests
{
    private static readonly IPNetwork Web4 = IPNetwork.Parse("203.0.113.90/32");

    [Fact]
    public async Task FRR_drops_the_paths_of_a_silent_speaker_when_its_hold_timer_expires()
    {
        RouterRequirements.Need("frr");
        Requirements.Tool("nft", "the link-cut test (it drops the node's packets)");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        var node = t.Nodes[0];
        var frr = (FrrRouter)t.Router;
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn, "holdTime: 3s", "keepaliveTime: 1s"),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        t.Write("services.yaml", ManifestYaml.Service("web", "web4", ["203.0.113.90"], 443, assigned: true));
        t.StartSpeaker(node);
        await t.UntilAsync(v => v.PathsTo(Web4).Any() && v.Neighbour(node.Link.A4)?.Established == true, $"{Web4} held");
        var before = await LastResetAsync(frr, node.Link.A4);
        Assert.DoesNotContain("Hold Timer Expired", before, StringComparison.OrdinalIgnoreCase);

        // The namespace is deleted with the test, and its ruleset with it.
        await Nft(node.Netns, "add table inet ilb_cut");
        await Nft(node.Netns, "add chain inet ilb_cut in { type filter hook input priority 0 ; policy drop ; }");
        await Nft(node.Netns, "add chain inet ilb_cut out { type filter hook output priority 0 ; policy drop ; }");

        var view = await t.UntilAsync(v => !v.PathsTo(Web4).Any() && v.Neighbour(node.Link.A4)?.Established == false, $"{Web4} dropped after the link went silent");
        var reset = await LastResetAsync(frr, node.Link.A4);
        Assert.True(reset.Contains("Hold Timer Expired", StringComparison.OrdinalIgnoreCase), $"the session did not end by hold timer expiry: {reset}\n{view}");
    }

    private static Task<string> Nft(string netns, string command) => ProcessRunner.CheckAsync("ip", "netns", "exec", netns, "nft", command);

    /// <summary>FRR's account of the neighbour's last reset: its JSON fields naming the cause and the NOTIFICATION sent.</summary>
    private static async Task<string> LastResetAsync(FrrRouter frr, IPAddress neighbour)
    {
        using var json = JsonDocument.Parse(await frr.VtyshAsync($"show bgp neighbors {neighbour} json"));
        if (!json.RootElement.TryGetProperty(neighbour.ToString(), out var n) || n.ValueKind != JsonValueKind.Object)
        {
            return $"(no neighbour {neighbour}: {json.RootElement})";
        }

        string[] causes = ["lastReset", "lastNotification", "lastError", "downLastReset"];
        return string.Join("; ", n.EnumerateObject()
            .Where(p => causes.Any(c => p.Name.StartsWith(c, StringComparison.Ordinal)))
            .Select(p => $"{p.Name}={p.Value}"));
    }
}
