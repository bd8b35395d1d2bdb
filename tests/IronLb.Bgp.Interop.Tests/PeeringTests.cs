using System.Collections.Immutable;
using System.Net;
using IronLb.Lab.Routers;

namespace IronLb.Bgp.Interop.Tests;

/// <summary>
/// Two real routers on one link, one session per family: what each announces, the other holds, with the announcer's
/// link address as next hop, its AS path (eBGP) and the communities, large communities and LOCAL_PREF (iBGP) it set.
/// This proves the harness on its own, before IronLB's speaker takes one side.
/// </summary>
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
public sealed class PeeringTests
{
    private const uint AsnA = 64601;
    private const uint AsnB = 64602;

    [Theory]
    [InlineData("frr", "bird", false)]
    [InlineData("frr", "bird", true)]
    [InlineData("frr", "frr", false)]
    [InlineData("frr", "frr", true)]
    public async Task Each_router_holds_what_the_other_announces(string softwareA, string softwareB, bool internalSession)
    {
        RouterRequirements.Need(softwareA, softwareB);
        await using var net = new RouterNet();
        var nsA = await net.AddNamespaceAsync("a");
        var nsB = await net.AddNamespaceAsync("b");
        var link = await net.LinkAsync(nsA, nsB);
        var (asnA, asnB) = internalSession ? (AsnA, AsnA) : (AsnA, AsnB);

        var fromA = Announced("203.0.113.241/32", "2001:db8:b9:ff::241/128", "64601:10", "64601:1:10", 210);
        var fromB = Announced("203.0.113.242/32", "2001:db8:b9:ff::242/128", "64602:20", "64602:2:20", 220);
        var a = await net.StartAsync(softwareA, net.Spec(nsA, link.A4, asnA) with
        {
            Neighbours = [new BgpNeighbour(link.B4, RemoteAs.Of(asnB)), new BgpNeighbour(link.B6, RemoteAs.Of(asnB))],
            Announce = fromA,
        });
        var b = await net.StartAsync(softwareB, net.Spec(nsB, link.B4, asnB) with
        {
            Neighbours = [new BgpNeighbour(link.A4, RemoteAs.Of(asnA)), new BgpNeighbour(link.A6, RemoteAs.Of(asnA))],
            Announce = fromB,
        });

        await HoldsAsync(b, fromA, link.A4, link.A6, asnA, internalSession);
        await HoldsAsync(a, fromB, link.B4, link.B6, asnB, internalSession);
        var view = await b.ReadViewAsync();
        Assert.All([link.A4, link.A6], n => Assert.True(view.Neighbour(n)?.Established, $"{n} not Established on {b.Software}: {view}"));
    }

    internal static ImmutableArray<AnnouncedPrefix> Announced(string v4, string v6, string community, string large, uint localPref) =>
        [.. new[] { v4, v6 }.Select(p => new AnnouncedPrefix(IPNetwork.Parse(p)) { Communities = [community], LargeCommunities = [large], LocalPref = localPref })];

    private static async Task HoldsAsync(IBgpRouter receiver, ImmutableArray<AnnouncedPrefix> announced, IPAddress nextHop4, IPAddress nextHop6, uint senderAsn, bool internalSession)
    {
        var view = await Eventually.UntilAsync(receiver.ReadViewAsync, v => announced.All(p => v.PathsTo(p.Prefix).Any()),
            $"{receiver.Software} {receiver.Spec.Name} to hold {string.Join(", ", announced.Select(p => p.Prefix))}");
        Assert.Empty(view.Drops);
        foreach (var prefix in announced)
        {
            var path = Assert.Single(view.PathsTo(prefix.Prefix));
            Assert.Equal(prefix.Prefix.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? nextHop4 : nextHop6, path.NextHop);
            Assert.Equal(internalSession ? [] : [senderAsn], path.AsPath);
            Assert.Equal(prefix.Communities, path.Communities);
            Assert.Equal(prefix.LargeCommunities, path.LargeCommunities);
            // LOCAL_PREF crosses iBGP only; over eBGP the receiver applies its default, 100.
            Assert.Equal(internalSession ? prefix.LocalPref : 100u, path.LocalPref ?? 100u);
        }
    }
}
