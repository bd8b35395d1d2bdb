using System.Net;
using System.Text.Json;
using IronLb.Lab.Routers;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// Graceful restart (RFC 4724) between the real speaker (BGPPeer enableGracefulRestart) and FRR, a helper by default:
/// a SIGKILLed speaker's path stays in FRR, marked stale, while the session is down; the restarted speaker's table
/// and End-of-RIB make it fresh again.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropRestartTests
{
    private static readonly IPNetwork Web4 = IPNetwork.Parse("203.0.113.50/32");

    [Fact]
    public async Task FRR_keeps_a_killed_speakers_path_stale_until_the_restarted_speaker_refreshes_it()
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn);
        var node = t.Nodes[0];
        var frr = (FrrRouter)t.Router;
        t.Write("config.yaml", ManifestYaml.Join(
            t.NodesAndPeers(NodeAsn, RouterAsn, "enableGracefulRestart: true"),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        t.Write("services.yaml", ManifestYaml.Service("web", "web4", ["203.0.113.50"], 443, assigned: true));
        t.StartSpeaker(node);
        await t.UntilAsync(v => v.PathsTo(Web4).Any() && v.Neighbour(node.Link.A4)?.Established == true, $"{Web4} held");
        Assert.False(await StaleAsync(frr), "a fresh path is marked stale");

        await t.KillSpeakerAsync(node);
        var view = await t.UntilAsync(v => v.Neighbour(node.Link.A4)?.Established == false, "the session down after SIGKILL");
        Assert.True(await StaleAsync(frr), $"the path was not kept as stale: {await frr.VtyshAsync($"show bgp ipv4 unicast {Web4} json")}");
        Assert.Single((await frr.ReadViewAsync()).PathsTo(Web4));

        t.StartSpeaker(node);
        await t.UntilAsync(v => v.Neighbour(node.Link.A4)?.Established == true, "the session up again");
        await Eventually.WaitForAsync(async () => !await StaleAsync(frr), $"{Web4} refreshed (not stale) by the restarted speaker");
        Assert.Single((await frr.ReadViewAsync()).PathsTo(Web4));
    }

    /// <summary>Whether FRR holds a path to <see cref="Web4"/> marked stale (its JSON's "stale": true on the path).</summary>
    private static async Task<bool> StaleAsync(FrrRouter frr)
    {
        using var json = JsonDocument.Parse(await frr.VtyshAsync($"show bgp ipv4 unicast {Web4} json"));
        return json.RootElement.TryGetProperty("paths", out var paths) && paths.ValueKind == JsonValueKind.Array
            && paths.EnumerateArray().Any(p => p.TryGetProperty("stale", out var s) && s.ValueKind == JsonValueKind.True);
    }
}
