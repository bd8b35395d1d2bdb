using System.Net;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>
/// Every drop reason as a table row: the broken bytes, the fault, and the NOTIFICATION and RFC 7606 action the
/// fault stands for. A fault without a row fails <see cref="Every_fault_has_a_row"/>.
/// </summary>
public sealed class FaultTableTests
{
    private static readonly byte[] O = Golden.OriginIgp;
    private static readonly byte[] P = Golden.AsPath4;
    private static readonly byte[] H = Golden.NextHop7;
    private static readonly byte[] N = Golden.Slash32;

    /// <summary>An MP_REACH_NLRI for IPv6 with a next hop of <paramref name="nextHopLength"/> octets and one /128.</summary>
    private static byte[] MpReach(int nextHopLength = 16, byte prefixBits = 128)
    {
        byte[] value = [0x00, 0x02, 0x01, (byte)nextHopLength, .. new byte[nextHopLength], 0x00, prefixBits, .. new byte[(prefixBits + 7) / 8]];
        value[4] = 0x20;
        return [0x80, 0x0E, (byte)value.Length, .. value];
    }

    public static TheoryData<string, byte[], uint, BgpFault> Rows() => new()
    {
        // Message header (RFC 4271 §6.1).
        { "marker with one bit clear", Edit(Golden.Keepalive, b => b[3] = 0xFE), 0, BgpFault.ConnectionNotSynchronized },
        { "length field 18", Edit(Golden.Keepalive, b => b[17] = 18), 0, BgpFault.BadMessageLength },
        { "length field 4097", Golden.Message(4, [], length: 4097), 0, BgpFault.BadMessageLength },
        { "length field not the message's", Edit(Golden.Keepalive, b => b[17] = 20), 0, BgpFault.BadMessageLength },
        { "KEEPALIVE of 20 bytes", Golden.Message(4, [0]), 0, BgpFault.BadMessageLength },
        { "OPEN of 28 bytes", Golden.Message(1, new byte[9]), 0, BgpFault.BadMessageLength },
        { "UPDATE of 22 bytes", Golden.Message(2, new byte[3]), 0, BgpFault.BadMessageLength },
        { "NOTIFICATION of 20 bytes", Golden.Message(3, [6]), 0, BgpFault.BadMessageLength },
        { "ROUTE-REFRESH of 24 bytes", Golden.Message(5, new byte[5]), 0, BgpFault.BadMessageLength },
        { "type 6", Golden.Message(6, []), 0, BgpFault.BadMessageType },
        { "type 0", Golden.Message(0, []), 0, BgpFault.BadMessageType },

        // OPEN (RFC 4271 §6.2).
        { "version 3", Golden.OpenWith(version: 3), 0, BgpFault.UnsupportedVersionNumber },
        { "peer AS not the configured one", Golden.Open, 65001, BgpFault.BadPeerAs },
        { "AS_TRANS without the 4-octet capability", Golden.OpenWith(myAs: BgpConstants.AsTrans, parameters: []), 4_200_000_001, BgpFault.BadPeerAs },
        { "peer AS 0", Golden.OpenWith(myAs: 0, parameters: []), 0, BgpFault.BadPeerAs },
        { "BGP Identifier 0", Golden.OpenWith(id: 0), 0, BgpFault.BadBgpIdentifier },
        { "BGP Identifier equal to ours", Golden.OpenWith(id: 0xC0000263), 0, BgpFault.BadBgpIdentifier },
        { "optional parameter 1 (authentication)", Golden.OpenWith(parameters: [0x01, 0x01, 0x00]), 0, BgpFault.UnsupportedOptionalParameter },
        { "extended optional parameters (RFC 9072)", Edit(Golden.OpenWith(parameters: [0xFF, 0x00, 0x08, 0x02, 0x06, 0x41, 0x04, 0, 0, 0xFC, 0]), b => b[28] = 0xFF), 0, BgpFault.UnsupportedOptionalParameter },
        { "hold time 1 s", Golden.OpenWith(hold: 1), 0, BgpFault.UnacceptableHoldTime },
        { "hold time 2 s", Golden.OpenWith(hold: 2), 0, BgpFault.UnacceptableHoldTime },
        { "capability longer than its parameter", Golden.OpenWith(parameters: [0x02, 0x02, 0x41, 0x04]), 0, BgpFault.MalformedOptionalParameters },
        { "parameter longer than the field", Golden.OpenWith(parameters: [0x02, 0x09, 0x41, 0x04, 0, 0, 0xFC, 0]), 0, BgpFault.MalformedOptionalParameters },
        { "optional parameters length past the message", Edit(Golden.OpenWith(), b => b[28] = 9), 0, BgpFault.MalformedOptionalParameters },
        { "4-octet AS capability of 2 bytes", Golden.OpenWith(parameters: [0x02, 0x04, 0x41, 0x02, 0xFC, 0x00]), 0, BgpFault.MalformedOptionalParameters },
        { "graceful restart of 3 bytes", Golden.OpenWith(parameters: [0x02, 0x0B, 0x41, 0x04, 0, 0, 0xFC, 0, 0x40, 0x03, 0, 0x78, 0]), 0, BgpFault.MalformedOptionalParameters },

        // UPDATE (RFC 4271 §6.3 as revised by RFC 7606).
        { "withdrawn length past the message", Golden.Message(2, [0x00, 0x09, 0x00, 0x00]), 0, BgpFault.MalformedAttributeList },
        { "attribute length past the message", Golden.Message(2, [0x00, 0x00, 0x00, 0x09, 0x40]), 0, BgpFault.MalformedAttributeList },
        { "MP_REACH_NLRI twice", Golden.Update([], [.. MpReach(), .. MpReach(), .. O, .. P], []), 0, BgpFault.MalformedAttributeList },
        { "attribute runs past the attribute field", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x08, 0x08, 0, 0, 0, 1], N), 0, BgpFault.AttributeListOverrun },
        { "two octets left for an attribute header", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x08], N), 0, BgpFault.AttributeListOverrun },
        { "unknown well-known type 99", Golden.Update([], [.. O, .. P, .. H, 0x40, 0x63, 0x00], N), 0, BgpFault.UnrecognizedWellKnownAttribute },
        { "NLRI without ORIGIN", Golden.Update([], [.. P, .. H], N), 0, BgpFault.MissingWellKnownAttribute },
        { "NLRI without AS_PATH", Golden.Update([], [.. O, .. H], N), 0, BgpFault.MissingWellKnownAttribute },
        { "NLRI without NEXT_HOP", Golden.Update([], [.. O, .. P], N), 0, BgpFault.MissingWellKnownAttribute },
        { "MP_REACH without ORIGIN", Golden.Update([], [.. MpReach(), .. P], []), 0, BgpFault.MissingWellKnownAttribute },
        { "ORIGIN flagged optional", Golden.Update([], [0xC0, 0x01, 0x01, 0x00, .. P, .. H], N), 0, BgpFault.AttributeFlagsError },
        { "LOCAL_PREF flagged partial", Golden.Update([], [.. O, .. P, .. H, 0x60, 0x05, 0x04, 0, 0, 0, 1], N), 0, BgpFault.AttributeFlagsError },
        { "MULTI_EXIT_DISC flagged transitive", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x04, 0x04, 0, 0, 0, 1], N), 0, BgpFault.AttributeFlagsError },
        { "COMMUNITIES flagged well-known", Golden.Update([], [.. O, .. P, .. H, 0x40, 0x08, 0x04, 0, 0, 0, 1], N), 0, BgpFault.AttributeFlagsError },
        { "ORIGIN of 2 bytes", Golden.Update([], [0x40, 0x01, 0x02, 0x00, 0x00, .. P, .. H], N), 0, BgpFault.AttributeLengthError },
        { "NEXT_HOP of 16 bytes", Golden.Update([], [.. O, .. P, 0x40, 0x03, 0x10, .. new byte[16]], N), 0, BgpFault.AttributeLengthError },
        { "MULTI_EXIT_DISC of 3 bytes", Golden.Update([], [.. O, .. P, .. H, 0x80, 0x04, 0x03, 0, 0, 1], N), 0, BgpFault.AttributeLengthError },
        { "COMMUNITIES of 6 bytes", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x08, 0x06, 0, 0, 0, 1, 0, 0], N), 0, BgpFault.AttributeLengthError },
        { "LARGE_COMMUNITY of 8 bytes", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x20, 0x08, 0, 0, 0, 1, 0, 0, 0, 1], N), 0, BgpFault.AttributeLengthError },
        { "ORIGIN 3", Golden.Update([], [0x40, 0x01, 0x01, 0x03, .. P, .. H], N), 0, BgpFault.InvalidOrigin },
        { "NEXT_HOP 0.0.0.0", Golden.Update([], [.. O, .. P, 0x40, 0x03, 0x04, 0, 0, 0, 0], N), 0, BgpFault.InvalidNextHop },
        { "NEXT_HOP multicast", Golden.Update([], [.. O, .. P, 0x40, 0x03, 0x04, 224, 0, 0, 5], N), 0, BgpFault.InvalidNextHop },
        { "NEXT_HOP broadcast", Golden.Update([], [.. O, .. P, 0x40, 0x03, 0x04, 255, 255, 255, 255], N), 0, BgpFault.InvalidNextHop },
        { "MP_REACH with an 8-byte next hop", Golden.Update([], [.. MpReach(nextHopLength: 8), .. O, .. P], []), 0, BgpFault.OptionalAttributeError },
        { "MP_REACH flagged transitive", Golden.Update([], [.. Edit(MpReach(), b => b[0] = 0xC0), .. O, .. P], []), 0, BgpFault.OptionalAttributeError },
        { "MP_UNREACH of 2 bytes", Golden.Update([], [0x80, 0x0F, 0x02, 0x00, 0x02], []), 0, BgpFault.OptionalAttributeError },
        { "NLRI /33", Golden.Update([], [.. O, .. P, .. H], [33, 198, 51, 100, 10, 0]), 0, BgpFault.InvalidNetworkField },
        { "NLRI cut short", Golden.Update([], [.. O, .. P, .. H], [32, 198, 51]), 0, BgpFault.InvalidNetworkField },
        { "withdrawn /40", Golden.Update([40, 1, 2, 3, 4, 5], [], []), 0, BgpFault.InvalidNetworkField },
        { "MP_REACH NLRI /129", Golden.Update([], [.. MpReach(prefixBits: 129), .. O, .. P], []), 0, BgpFault.InvalidNetworkField },
        { "AS_PATH segment type 5", Golden.Update([], [.. O, 0x40, 0x02, 0x06, 0x05, 0x01, 0, 0, 0xFC, 0, .. H], N), 0, BgpFault.MalformedAsPath },
        { "AS_PATH segment of 0 ASNs", Golden.Update([], [.. O, 0x40, 0x02, 0x02, 0x02, 0x00, .. H], N), 0, BgpFault.MalformedAsPath },
        { "AS_PATH segment past the attribute", Golden.Update([], [.. O, 0x40, 0x02, 0x06, 0x02, 0x02, 0, 0, 0xFC, 0, .. H], N), 0, BgpFault.MalformedAsPath },
        { "ATOMIC_AGGREGATE of 1 byte", Golden.Update([], [.. O, .. P, .. H, 0x40, 0x06, 0x01, 0x00], N), 0, BgpFault.AggregatorDiscarded },
        { "AGGREGATOR of 6 bytes in a 4-octet session", Golden.Update([], [.. O, .. P, .. H, 0xC0, 0x07, 0x06, 0xFC, 0, 192, 0, 2, 7], N), 0, BgpFault.AggregatorDiscarded },
    };

    public static TheoryData<BgpFault, byte, byte, FaultAction> Table() => new()
    {
        { BgpFault.None, 0, 0, FaultAction.None },
        { BgpFault.ConnectionNotSynchronized, 1, 1, FaultAction.SessionReset },
        { BgpFault.BadMessageLength, 1, 2, FaultAction.SessionReset },
        { BgpFault.BadMessageType, 1, 3, FaultAction.SessionReset },
        { BgpFault.UnsupportedVersionNumber, 2, 1, FaultAction.SessionReset },
        { BgpFault.BadPeerAs, 2, 2, FaultAction.SessionReset },
        { BgpFault.BadBgpIdentifier, 2, 3, FaultAction.SessionReset },
        { BgpFault.UnsupportedOptionalParameter, 2, 4, FaultAction.SessionReset },
        { BgpFault.UnacceptableHoldTime, 2, 6, FaultAction.SessionReset },
        { BgpFault.MalformedOptionalParameters, 2, 0, FaultAction.SessionReset },
        { BgpFault.MalformedAttributeList, 3, 1, FaultAction.SessionReset },
        { BgpFault.AttributeListOverrun, 3, 1, FaultAction.TreatAsWithdraw },
        { BgpFault.UnrecognizedWellKnownAttribute, 3, 2, FaultAction.SessionReset },
        { BgpFault.MissingWellKnownAttribute, 3, 3, FaultAction.TreatAsWithdraw },
        { BgpFault.AttributeFlagsError, 3, 4, FaultAction.TreatAsWithdraw },
        { BgpFault.AttributeLengthError, 3, 5, FaultAction.TreatAsWithdraw },
        { BgpFault.InvalidOrigin, 3, 6, FaultAction.TreatAsWithdraw },
        { BgpFault.InvalidNextHop, 3, 8, FaultAction.TreatAsWithdraw },
        { BgpFault.OptionalAttributeError, 3, 9, FaultAction.SessionReset },
        { BgpFault.InvalidNetworkField, 3, 10, FaultAction.SessionReset },
        { BgpFault.MalformedAsPath, 3, 11, FaultAction.TreatAsWithdraw },
        { BgpFault.AggregatorDiscarded, 3, 5, FaultAction.AttributeDiscard },
    };

    private static byte[] Edit(byte[] bytes, Action<byte[]> edit)
    {
        var copy = bytes.ToArray();
        edit(copy);
        return copy;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_broken_message_gives_its_fault(string desc, byte[] bytes, uint expectedPeerAs, BgpFault expected)
    {
        var context = new BgpDecodeContext(FourOctetAs: true, ExpectedPeerAs: expectedPeerAs, LocalIdentifier: 0xC0000263);

        var result = BgpCodec.TryDecode(bytes, context);

        Assert.True(expected == result.Fault, $"{desc}: expected {expected}, got {result.Fault}");
        switch (result.Action)
        {
            case FaultAction.SessionReset:
                Assert.Null(result.Message);
                var (code, subcode, _) = expected.Describe();
                Assert.Equal(new NotificationMessage(code, subcode, result.Data), result.Notification);
                break;
            case FaultAction.TreatAsWithdraw:
                var withdrawal = Assert.IsType<UpdateMessage>(result.Message);
                Assert.Empty(withdrawal.Nlri);
                Assert.All(withdrawal.Attributes, a => Assert.IsType<MpUnreachNlriAttribute>(a));
                Assert.Null(result.Notification);
                break;
            default:
                Assert.NotNull(result.Message);
                Assert.Null(result.Notification);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_fault_maps_to_its_NOTIFICATION_and_action(BgpFault fault, byte code, byte subcode, FaultAction action) =>
        Assert.Equal((code, subcode, action), fault.Describe());

    [Fact]
    public void Every_fault_has_a_row()
    {
        var covered = Rows().Select(r => r.Data.Item4).ToHashSet();
        var described = Table().Select(r => r.Data.Item1).ToHashSet();

        Assert.Equal(Enum.GetValues<BgpFault>().Where(f => f != BgpFault.None).ToHashSet(), covered);
        Assert.Equal(Enum.GetValues<BgpFault>().ToHashSet(), described);
    }

    [Fact]
    public void The_NOTIFICATION_data_is_what_RFC_4271_asks_for()
    {
        var context = new BgpDecodeContext(true);

        Assert.Equal([0x10, 0x01], BgpCodec.TryDecode(Golden.Message(4, [], length: 4097), context).Data.Items);
        Assert.Equal([0x06], BgpCodec.TryDecode(Golden.Message(6, []), context).Data.Items);
        Assert.Equal([0x00, 0x04], BgpCodec.TryDecode(Golden.OpenWith(version: 3), context).Data.Items);
        var wellKnown = BgpCodec.TryDecode(Golden.Update([], [.. O, .. P, .. H, 0x40, 0x63, 0x01, 0xAA], N), context);
        Assert.Equal([0x63, 0x01, 0xAA], wellKnown.Data.Items);
        Assert.Equal(new NotificationMessage(3, 2, [0x63, 0x01, 0xAA]), wellKnown.Notification);
        Assert.Equal([(byte)AttributeType.NextHop], BgpCodec.TryDecode(Golden.Update([], [.. O, .. P], N), context).Data.Items);
    }

    [Fact]
    public void Treat_as_withdraw_withdraws_classic_and_MP_prefixes_alike()
    {
        // A bad ORIGIN with an IPv4 /32 announced, one IPv4 withdrawn and an IPv6 /128 announced.
        var bytes = Golden.Update([32, 198, 51, 100, 11], [.. MpReach(), 0x40, 0x01, 0x01, 0x07, .. P, .. H], N);

        var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));

        Assert.Equal(BgpFault.InvalidOrigin, result.Fault);
        var withdrawal = Assert.IsType<UpdateMessage>(result.Message);
        Assert.Equal([IPNetwork.Parse("198.51.100.11/32"), IPNetwork.Parse("198.51.100.10/32")], withdrawal.Withdrawn.Items);
        var unreach = Assert.IsType<MpUnreachNlriAttribute>(Assert.Single(withdrawal.Attributes));
        Assert.Equal([IPNetwork.Parse("::/128")], unreach.Withdrawn.Items);
    }

    [Fact]
    public void A_session_reset_outranks_an_earlier_treat_as_withdraw()
    {
        var bytes = Golden.Update([], [0x40, 0x01, 0x01, 0x07, .. P, .. H, 0x40, 0x63, 0x00], N);

        Assert.Equal(BgpFault.UnrecognizedWellKnownAttribute, BgpCodec.TryDecode(bytes, new BgpDecodeContext(true)).Fault);
    }

    [Fact]
    public void A_discarded_aggregator_leaves_the_route()
    {
        var bytes = Golden.Update([], [.. O, .. P, .. H, 0x40, 0x06, 0x01, 0x00], N);

        var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));

        var update = Assert.IsType<UpdateMessage>(result.Message);
        Assert.Equal([IPNetwork.Parse("198.51.100.10/32")], update.Nlri.Items);
        Assert.Null(update.Find(AttributeType.AtomicAggregate));
    }
}
