using IronLb.Core.Addressing;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Core.Tests.Announcement;

/// <summary>A node's routes over all its Services: one route per (peer, prefix), attributes merged whatever the order.</summary>
public sealed class BgpRouteTableTests
{
    private static BgpRoute Route(string peer, string prefix, uint? localPref = null, params string[] communities)
    {
        Assert.True(Cidr.TryParse(prefix, out var cidr));
        var parsed = communities.Select(c => BgpCommunity.TryParse(c, out var value, out _, out _) ? value : throw new ArgumentException(c)).Order().ToList();
        return new BgpRoute(peer, cidr, localPref, [.. parsed.Where(c => !c.IsLarge)], [.. parsed.Where(c => c.IsLarge)]);
    }

    private static NodeBgpAnnouncement Announce(params BgpRoute[] routes) => new("iris1", BgpAnnounceDecision.Announce, [.. routes]);

    public static TheoryData<string, NodeBgpAnnouncement[], string[]> Rows => new()
    {
        { "two Services in one aggregate: one route", [Announce(Route("tor", "10.0.0.0/24")), Announce(Route("tor", "10.0.0.0/24"))], ["10.0.0.0/24 to tor"] },
        { "communities are unioned", [Announce(Route("tor", "10.0.0.0/24", null, "1:1")), Announce(Route("tor", "10.0.0.0/24", null, "2:2", "large:1:2:3"))],
            ["10.0.0.0/24 to tor (1:1, 2:2, large:1:2:3)"] },
        { "the highest LOCAL_PREF wins", [Announce(Route("rr", "10.0.0.5/32", 100)), Announce(Route("rr", "10.0.0.5/32", 200)), Announce(Route("rr", "10.0.0.5/32"))],
            ["10.0.0.5/32 to rr (localPref 200)"] },
        { "other peers and prefixes stay apart, sorted", [Announce(Route("tor", "10.0.0.5/32"), Route("rr", "10.0.0.5/32")), Announce(Route("rr", "10.0.0.0/24"))],
            ["10.0.0.0/24 to rr", "10.0.0.5/32 to rr", "10.0.0.5/32 to tor"] },
        { "a withdrawn Service contributes nothing", [new NodeBgpAnnouncement("iris1", BgpAnnounceDecision.NoEndpoints, []), Announce(Route("tor", "10.0.0.6/32"))],
            ["10.0.0.6/32 to tor"] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Merge(string desc, NodeBgpAnnouncement[] announcements, string[] expected)
    {
        Assert.Equal(expected, BgpRouteTable.Merge(announcements).Select(r => r.ToString()));
        Assert.Equal(BgpRouteTable.Merge(announcements), BgpRouteTable.Merge(announcements.Reverse()));
        Assert.NotEmpty(desc);
    }
}
