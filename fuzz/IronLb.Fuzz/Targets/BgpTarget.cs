using System.Net;
using IronLb.Bgp.Wire;
using IronLb.Fuzz.Exercises;

namespace IronLb.Fuzz.Targets;

/// <summary>A BGP peer's TCP stream through the framer and the decoder, both AS sizes (<see cref="BgpExercise"/>).</summary>
internal sealed class BgpTarget : FuzzTarget
{
    public override string Name => "bgp";

    public override string Description => "BgpFramer + BgpCodec.TryDecode on a peer's byte stream (2- and 4-octet AS), with encode round trips";

    public override IReadOnlyList<string> Instrument => ["IronLb.Bgp.dll"];

    public override void Run(ReadOnlySpan<byte> input) => BgpExercise.Run(input);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        // (Seeds run in the uninstrumented build.) What FRR or BIRD would send a speaker, and what the speaker sends.
        var open = OpenMessage.Create(4_200_000_001, 90, 0xC633_6401,
        [
            new MultiprotocolCapability(Afi.Ipv4, Safi.Unicast),
            new MultiprotocolCapability(Afi.Ipv6, Safi.Unicast),
            new RouteRefreshCapability(),
            new GracefulRestartCapability(GracefulRestartCapability.RestartStateFlag, 120, [new GracefulRestartFamily(Afi.Ipv4, Safi.Unicast, GracefulRestartFamily.ForwardingStateFlag)]),
            new UnknownCapability(73, [3, (byte)'f', (byte)'r', (byte)'r', 0]),
        ]);
        var template = new RouteTemplate(
            [
                new OriginAttribute(Origin.Igp),
                AsPathAttribute.Originated(64512),
                new NextHopAttribute(IPAddress.Parse("192.0.2.7")),
                new MultiExitDiscAttribute(10),
                new CommunitiesAttribute([0xFDE8_0001]),
                new LargeCommunitiesAttribute([new LargeCommunity(64512, 1, 2)]),
                new RawAttribute(AttributeFlags.Optional | AttributeFlags.Transitive, 99, [1, 2, 3]),
            ],
            IPAddress.Parse("2001:db8::7"),
            IPAddress.Parse("fe80::7"));
        IPNetwork[] prefixes = [IPNetwork.Parse("198.51.100.10/32"), IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("2001:db8:1::10/128"), IPNetwork.Parse("2001:db8:2::/48")];
        var updates = UpdatePacker.Pack(prefixes, [IPNetwork.Parse("198.51.100.11/32"), IPNetwork.Parse("2001:db8:1::11/128")], template, fourOctetAs: true);

        yield return ("open", BgpCodec.Encode(open, fourOctetAs: true));
        yield return ("keepalive", BgpCodec.Encode(KeepaliveMessage.Instance, fourOctetAs: true));
        yield return ("notification", BgpCodec.Encode(NotificationMessage.AdministrativeShutdown("drain"), fourOctetAs: true));
        yield return ("route-refresh", BgpCodec.Encode(new RouteRefreshMessage(Afi.Ipv6, Safi.Unicast), fourOctetAs: true));
        yield return ("end-of-rib-v6", BgpCodec.Encode(UpdateMessage.EndOfRib(Afi.Ipv6, Safi.Unicast), fourOctetAs: true));
        for (var i = 0; i < updates.Length; i++)
        {
            yield return ($"update-{i}", BgpCodec.Encode(updates[i], fourOctetAs: true));
        }

        // A whole session start in one read: OPEN, KEEPALIVE, the routes, End-of-RIB.
        yield return ("stream", [
            .. BgpCodec.Encode(open, fourOctetAs: true),
            .. BgpCodec.Encode(KeepaliveMessage.Instance, fourOctetAs: true),
            .. updates.SelectMany(u => BgpCodec.Encode(u, fourOctetAs: true)),
            .. BgpCodec.Encode(UpdateMessage.EndOfRib(Afi.Ipv4, Safi.Unicast), fourOctetAs: true),
        ]);
        yield return ("update-2-octet", BgpCodec.Encode(updates[^2], fourOctetAs: false));
    }
}
