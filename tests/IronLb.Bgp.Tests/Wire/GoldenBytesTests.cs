using System.Net;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>Each message kind against bytes written by hand from its RFC layout (<see cref="Golden"/>), both ways.</summary>
public sealed class GoldenBytesTests
{
    public static TheoryData<string, byte[], BgpMessage> Rows() => new()
    {
        { "KEEPALIVE", Golden.Keepalive, KeepaliveMessage.Instance },
        { "OPEN with a 4-octet ASN and four capabilities", Golden.Open, Golden.OpenValue },
        { "UPDATE, IPv4, every classic attribute", Golden.UpdateV4, Golden.UpdateV4Value },
        { "UPDATE, IPv6 MP_REACH with a link-local next hop", Golden.UpdateV6, Golden.UpdateV6Value },
        { "UPDATE, IPv6 MP_UNREACH", Golden.WithdrawV6, Golden.WithdrawV6Value },
        { "NOTIFICATION, administrative shutdown", Golden.Notification, NotificationMessage.AdministrativeShutdown("drain") },
        { "ROUTE-REFRESH for IPv6 unicast", Golden.RouteRefresh, new RouteRefreshMessage(Afi.Ipv6, Safi.Unicast) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Encodes_to_the_golden_bytes(string kind, byte[] golden, BgpMessage message)
    {
        Assert.NotNull(kind);
        Assert.Equal(golden, BgpCodec.Encode(message, fourOctetAs: true));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decodes_the_golden_bytes(string kind, byte[] golden, BgpMessage message)
    {
        var result = BgpCodec.TryDecode(golden, new BgpDecodeContext(FourOctetAs: true));

        Assert.True(result.IsAccepted, $"{kind}: {result.Fault}");
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public void An_ASN_above_65535_is_AS_TRANS_in_the_OPEN_and_the_capability_carries_it()
    {
        var open = Golden.OpenValue;

        Assert.Equal(BgpConstants.AsTrans, open.MyAs);
        Assert.Equal(4_200_000_001u, open.Asn);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), open.Identifier);
        Assert.True(open.Has(CapabilityCode.FourOctetAs));
        Assert.Equal(64512, OpenMessage.Create(64512, 90, 1, []).MyAs);
    }

    [Fact]
    public void A_2_octet_session_writes_AS_PATH_in_2_octets_and_AS_TRANS_for_a_big_ASN()
    {
        var update = new UpdateMessage([], [new OriginAttribute(Origin.Igp), new AsPathAttribute([new AsPathSegment(AsPathSegmentType.AsSequence, [64512, 4_200_000_001])]), new NextHopAttribute(IPAddress.Parse("192.0.2.7"))], [IPNetwork.Parse("198.51.100.10/32")]);
        byte[] expected = Golden.Update([], [.. Golden.OriginIgp, 0x40, 0x02, 0x06, 0x02, 0x02, 0xFC, 0x00, 0x5B, 0xA0, .. Golden.NextHop7], Golden.Slash32);

        var bytes = BgpCodec.Encode(update, fourOctetAs: false);
        var back = BgpCodec.TryDecode(bytes, new BgpDecodeContext(FourOctetAs: false));

        Assert.Equal(expected, bytes);
        var path = Assert.IsType<AsPathAttribute>(Assert.IsType<UpdateMessage>(back.Message).Find(AttributeType.AsPath));
        Assert.Equal([64512u, BgpConstants.AsTrans], path.Segments[0].Asns);
    }

    [Fact]
    public void End_of_RIB_is_an_empty_UPDATE_for_IPv4_and_an_empty_MP_UNREACH_otherwise()
    {
        Assert.Equal(Golden.Update([], [], []), BgpCodec.Encode(UpdateMessage.EndOfRib(Afi.Ipv4, Safi.Unicast), fourOctetAs: true));
        Assert.Equal(Golden.Update([], [0x80, 0x0F, 0x03, 0x00, 0x02, 0x01], []), BgpCodec.Encode(UpdateMessage.EndOfRib(Afi.Ipv6, Safi.Unicast), fourOctetAs: true));
        Assert.True(UpdateMessage.EndOfRib(Afi.Ipv6, Safi.Unicast).IsEndOfRib(out var afi, out var safi));
        Assert.Equal((Afi.Ipv6, Safi.Unicast), (afi, safi));
        Assert.False(Golden.WithdrawV6Value.IsEndOfRib(out _, out _));
    }

    [Fact]
    public void Unknown_attributes_and_capabilities_are_kept_with_their_flags()
    {
        // An optional transitive attribute type 99 with the extended-length bit, and capability 73 (FQDN).
        byte[] raw = [0xD0, 0x63, 0x00, 0x02, 0xAB, 0xCD];
        var bytes = Golden.Update([], [.. Golden.OriginIgp, .. Golden.AsPath4, .. Golden.NextHop7, .. raw], Golden.Slash32);

        var update = Assert.IsType<UpdateMessage>(BgpCodec.TryDecode(bytes, new BgpDecodeContext(true)).Message);
        var kept = Assert.IsType<RawAttribute>(update.Find((AttributeType)99));

        Assert.Equal(AttributeFlags.Optional | AttributeFlags.Transitive | AttributeFlags.ExtendedLength, kept.Flags);
        Assert.Equal(bytes, BgpCodec.Encode(update, fourOctetAs: true));
        Assert.Equal(kept.Flags | AttributeFlags.Partial, kept.ForPropagation()!.Flags);
        Assert.Null(new RawAttribute(AttributeFlags.Optional, 99, []).ForPropagation());

        var open = Golden.OpenWith(parameters: [0x02, 0x0C, 0x41, 0x04, 0x00, 0x00, 0xFC, 0x00, 0x49, 0x04, 0x02, 0x72, 0x31, 0x00]);
        var capability = Assert.IsType<UnknownCapability>(Assert.IsType<OpenMessage>(BgpCodec.TryDecode(open, new BgpDecodeContext(true)).Message).Capabilities[1]);
        Assert.Equal((CapabilityCode)73, capability.Code);
        Assert.Equal([0x02, 0x72, 0x31, 0x00], capability.Value.Items);
    }

    [Fact]
    public void A_broken_NEXT_HOP_without_classic_NLRI_is_ignored()
    {
        // RFC 4760 §3: an UPDATE that announces only through MP_REACH_NLRI has no use for NEXT_HOP.
        var mpOnly = Golden.UpdateV6.Skip(23).ToArray();
        var bytes = Golden.Update([], [.. mpOnly, 0x40, 0x03, 0x04, 0, 0, 0, 0], []);

        var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));

        Assert.True(result.IsAccepted, result.Fault.ToString());
        Assert.Equal(Golden.UpdateV6Value, result.Message);
        Assert.Equal(BgpFault.InvalidNextHop, BgpCodec.TryDecode(Golden.Update([], [.. mpOnly, 0x40, 0x03, 0x04, 0, 0, 0, 0], Golden.Slash32), new BgpDecodeContext(true)).Fault);
    }

    [Fact]
    public void Duplicate_attributes_keep_the_first()
    {
        var bytes = Golden.Update([], [.. Golden.OriginIgp, 0x40, 0x01, 0x01, 0x02, .. Golden.AsPath4, .. Golden.NextHop7], Golden.Slash32);

        var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));

        Assert.True(result.IsAccepted);
        Assert.Equal(new OriginAttribute(Origin.Igp), Assert.IsType<UpdateMessage>(result.Message).Find(AttributeType.Origin));
    }

    [Fact]
    public void Messages_that_do_not_fit_are_refused_by_the_encoder()
    {
        var huge = new UpdateMessage([], [new CommunitiesAttribute([.. Enumerable.Range(0, 1100).Select(i => (uint)i)])], []);

        Assert.Equal(-1, BgpCodec.GetEncodedLength(huge, fourOctetAs: true));
        Assert.False(BgpCodec.TryEncode(huge, true, new byte[8192], out var written));
        Assert.Equal(0, written);
        Assert.Throws<ArgumentException>(() => BgpCodec.Encode(huge, fourOctetAs: true));
        Assert.False(BgpCodec.TryEncode(KeepaliveMessage.Instance, true, new byte[18], out _));
    }
}
