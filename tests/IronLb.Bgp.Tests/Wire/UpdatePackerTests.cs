using System.Net;
using System.Net.Sockets;
using CsCheck;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>
/// Packing many prefixes per UPDATE (MetalLB sends one per prefix): never past 4,096 bytes, nothing lost, nothing
/// sent twice.
/// </summary>
public sealed class UpdatePackerTests
{
    private static readonly RouteTemplate Template = new(
        [
            new OriginAttribute(Origin.Igp),
            AsPathAttribute.Originated(64512),
            new NextHopAttribute(IPAddress.Parse("192.0.2.7")),
            new CommunitiesAttribute([0xFDE8_0001]),
        ],
        IPAddress.Parse("2001:db8::7"),
        IPAddress.Parse("fe80::7"));

    [Fact]
    public void A_thousand_host_routes_per_family_take_a_handful_of_UPDATEs_not_a_thousand()
    {
        var v4 = Enumerable.Range(0, 1000).Select(i => new IPNetwork(new IPAddress([198, 51, (byte)(i >> 8), (byte)i]), 32));
        var v6 = Enumerable.Range(0, 1000).Select(i => IPNetwork.Parse($"2001:db8::{i:x}/128"));

        var updates = UpdatePacker.Pack([.. v4, .. v6], [], Template, fourOctetAs: true);

        // A /32 is 5 bytes of NLRI (about 800 per UPDATE), a /128 17 bytes in MP_REACH_NLRI (about 230).
        Assert.Equal(2, updates.Count(u => !u.Nlri.IsEmpty));
        Assert.Equal(5, updates.Count(u => u.Find(AttributeType.MpReachNlri) is not null));
        Assert.All(updates, u => Assert.InRange(BgpCodec.GetEncodedLength(u, true), 1, 4096));
        Assert.Null(updates.First(u => u.Find(AttributeType.MpReachNlri) is not null).Find(AttributeType.NextHop));
        Assert.IsType<MpReachNlriAttribute>(updates.First(u => u.Find(AttributeType.MpReachNlri) is not null).Attributes[0]);
    }

    [Fact]
    public void Withdrawals_come_first_and_a_prefix_both_announced_and_withdrawn_is_announced()
    {
        var a = IPNetwork.Parse("198.51.100.10/32");
        var b = IPNetwork.Parse("198.51.100.11/32");
        var c = IPNetwork.Parse("2001:db8::c/128");

        var updates = UpdatePacker.Pack([a, a], [a, b, c, c], Template, fourOctetAs: true);

        Assert.Equal(3, updates.Length);
        Assert.Equal([b], updates[0].Withdrawn.Items);
        Assert.Equal([c], Assert.IsType<MpUnreachNlriAttribute>(Assert.Single(updates[1].Attributes)).Withdrawn.Items);
        Assert.Equal([a], updates[2].Nlri.Items);
    }

    [Fact]
    public void A_template_without_the_next_hop_a_family_needs_is_refused()
    {
        var noHop = new RouteTemplate([new OriginAttribute(Origin.Igp), new AsPathAttribute([])]);

        Assert.Throws<ArgumentException>(() => UpdatePacker.Pack([IPNetwork.Parse("198.51.100.10/32")], [], noHop, true));
        Assert.Throws<ArgumentException>(() => UpdatePacker.Pack([IPNetwork.Parse("2001:db8::1/128")], [], noHop, true));
        Assert.Empty(UpdatePacker.Pack([], [], noHop, true));
    }

    [Fact]
    public void Packed_UPDATEs_fit_lose_nothing_and_repeat_nothing() =>
        Gen.Select(Gens.AnyPrefix.Array[0, 3000], Gens.AnyPrefix.Array[0, 2000], Gen.Bool, Gens.Raw.Array[0, 3], (announce, withdraw, four, extra) => (announce, withdraw, four, extra))
            .Sample(x =>
            {
                var template = Template with { Attributes = [.. Template.Attributes, .. x.extra.DistinctBy(a => a.TypeCode)] };
                var updates = UpdatePacker.Pack(x.announce, x.withdraw, template, x.four);

                var announced = new List<IPNetwork>();
                var withdrawn = new List<IPNetwork>();
                foreach (var update in updates)
                {
                    var bytes = BgpCodec.Encode(update, x.four);
                    Assert.InRange(bytes.Length, 19, BgpConstants.MaxMessageLength);
                    var back = BgpCodec.TryDecode(bytes, new BgpDecodeContext(x.four));
                    Assert.True(back.IsAccepted, back.Fault.ToString());
                    Assert.Equal(update, back.Message);

                    announced.AddRange(update.Nlri);
                    withdrawn.AddRange(update.Withdrawn);
                    foreach (var attribute in update.Attributes)
                    {
                        if (attribute is MpReachNlriAttribute reach)
                        {
                            announced.AddRange(reach.Nlri);
                        }
                        else if (attribute is MpUnreachNlriAttribute unreach)
                        {
                            withdrawn.AddRange(unreach.Withdrawn);
                        }
                    }
                }

                var wantAnnounced = x.announce.Distinct().ToHashSet();
                Assert.Equal(announced.Count, announced.Distinct().Count());
                Assert.Equal(withdrawn.Count, withdrawn.Distinct().Count());
                Assert.True(wantAnnounced.SetEquals(announced));
                Assert.True(x.withdraw.Where(p => !wantAnnounced.Contains(p)).ToHashSet().SetEquals(withdrawn));
                Assert.All(updates, u => Assert.All(u.Nlri, p => Assert.Equal(AddressFamily.InterNetwork, p.BaseAddress.AddressFamily)));
            }, iter: 200);
}
