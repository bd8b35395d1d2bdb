using System.Net;
using IronLb.Testing.Manifests;
using static IronLb.Bgp.Interop.Tests.Speaker.SpeakerTopology;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>
/// TCP MD5 between the real speaker and FRR, the BGPPeer's key inline or in a basic-auth Secret its passwordSecret
/// names (file mode reads the Secret from the same manifests): the same key comes up and carries routes; a
/// different key never does, shown without a clock as in <see cref="Md5Tests"/>: the router's kernel discards several of
/// the speaker's badly signed segments, and the session is still not up.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class SpeakerInteropMd5Tests
{
    private static readonly IPNetwork Web4 = IPNetwork.Parse("203.0.113.30/32");

    [Theory]
    [InlineData("right-key", true, false)]
    [InlineData("wrong-key", false, false)]
    [InlineData("right-key", true, true)]
    [InlineData("wrong-key", false, true)]
    public async Task Only_the_routers_key_brings_the_session_up(string speakerKey, bool comesUp, bool fromSecret)
    {
        RouterRequirements.Need("frr");
        await using var t = await SpeakerTopology.CreateAsync("frr", nodes: 1, RouterAsn, NodeAsn, routerPassword: "right-key");
        var node = t.Nodes[0];
        t.Write("config.yaml", ManifestYaml.Join(
            fromSecret
                ? ManifestYaml.Join(t.NodesAndPeers(NodeAsn, RouterAsn, "passwordSecret: {name: bgp-md5}"), BgpYaml.PasswordSecret("bgp-md5", speakerKey))
                : t.NodesAndPeers(NodeAsn, RouterAsn, $"password: {speakerKey}"),
            BgpYaml.Pool(SpeakerTopology.Pool, "203.0.113.0/24"),
            BgpYaml.Advertisement("all", SpeakerTopology.Pool)));
        t.Write("services.yaml", ManifestYaml.Service("web", "web4", ["203.0.113.30"], 443, assigned: true));
        t.StartSpeaker(node);

        if (comesUp)
        {
            var view = await t.UntilAsync(v => v.PathsTo(Web4).Any(), $"{Web4} held over the signed session");
            Assert.True(view.Neighbour(node.Link.A4)?.Established, $"not Established: {view}");
        }
        else
        {
            await Eventually.UntilAsync(() => Md5Tests.Md5FailuresAsync(t.Router.Spec.Netns), n => n >= 3, "the router's kernel to discard several badly signed segments from the speaker");
            var view = await t.Router.ReadViewAsync();
            Assert.False(view.Neighbour(node.Link.A4)?.Established ?? false, $"came up with a wrong key: {view}");
            Assert.False(view.Neighbour(node.Link.A6)?.Established ?? false, $"came up with a wrong key: {view}");
            Assert.Empty(view.Paths);
        }
    }
}
