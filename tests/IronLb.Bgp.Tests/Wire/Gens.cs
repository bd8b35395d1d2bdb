using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using CsCheck;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>CsCheck generators for every message kind, with values a peer could legally send.</summary>
internal static class Gens
{
    private static readonly HashSet<byte> KnownAttributeTypes = [1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 32];

    public static readonly Gen<IPAddress> V4 = Gen.UInt.Select(a => V4Address(a));

    public static readonly Gen<IPAddress> V6 = Gen.Select(Gen.ULong, Gen.ULong, (hi, lo) => V6Address(new UInt128(hi, lo)));

    public static readonly Gen<IPNetwork> Prefix4 = Gen.Select(Gen.UInt, Gen.Int[0, 32], (a, bits) =>
        new IPNetwork(V4Address(bits == 0 ? 0 : a & (uint.MaxValue << (32 - bits))), bits));

    public static readonly Gen<IPNetwork> Prefix6 = Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, 128], (hi, lo, bits) =>
        new IPNetwork(V6Address(bits == 0 ? UInt128.Zero : new UInt128(hi, lo) & (UInt128.MaxValue << (128 - bits))), bits));

    /// <summary>Mostly host routes, what a speaker announces, with some shorter ones and repeats.</summary>
    public static readonly Gen<IPNetwork> AnyPrefix = Gen.Frequency(
        (3, Gen.UInt[0xC633_6400, 0xC633_64FF].Select(a => new IPNetwork(V4Address(a), 32))),
        (3, Gen.UShort.Select(x => new IPNetwork(V6Address(new UInt128(0x2001_0db8_0000_0000, x)), 128))),
        (1, Prefix4),
        (1, Prefix6));

    public static readonly Gen<Capability> Capability = Gen.OneOf(
        Gen.Select(Pick(Afi.Ipv4, Afi.Ipv6), Pick(Safi.Unicast, Safi.Multicast), (a, s) => (Capability)new MultiprotocolCapability(a, s)),
        Gen.Const<Capability>(new RouteRefreshCapability()),
        Gen.UInt[1, uint.MaxValue].Select(a => (Capability)new FourOctetAsCapability(a)),
        Gen.Select(Gen.Byte[0, 15], Gen.UShort[0, 4095], Gen.Select(Pick(Afi.Ipv4, Afi.Ipv6), Gen.Byte, (a, f) => new GracefulRestartFamily(a, Safi.Unicast, f)).Array[0, 3],
            (f, t, families) => (Capability)new GracefulRestartCapability(f, t, families)),
        Gen.Select(Gen.Byte.Where(c => c is not (1 or 2 or 64 or 65)), Gen.Byte.Array[0, 20], (c, v) => (Capability)new UnknownCapability(c, v)));

    public static readonly Gen<BgpMessage> Open = Gen.Select(Gen.UShort[1, ushort.MaxValue], Gen.OneOf(Gen.Const((ushort)0), Gen.UShort[3, ushort.MaxValue]), Gen.UInt[1, uint.MaxValue], Capability.Array[0, 12],
        (my, hold, id, caps) => (BgpMessage)new OpenMessage(my, hold, id, caps));

    public static readonly Gen<BgpMessage> Notification = Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte.Array[0, 50], (c, s, d) => (BgpMessage)new NotificationMessage(c, s, d));

    public static readonly Gen<BgpMessage> RouteRefresh = Gen.Select(Pick(Afi.Ipv4, Afi.Ipv6), Pick(Safi.Unicast, Safi.Multicast), Gen.Byte[0, 2],
        (a, s, sub) => (BgpMessage)new RouteRefreshMessage(a, s, sub));

    public static Gen<PathAttribute> Raw { get; } = Gen.Select(Gen.Byte.Where(t => !KnownAttributeTypes.Contains(t)), Gen.Byte, Gen.Byte.Array[0, 300],
        (type, flags, value) => (PathAttribute)new RawAttribute(
            (AttributeFlags)flags | AttributeFlags.Optional | (value.Length > 255 ? AttributeFlags.ExtendedLength : 0), type, value));

    /// <summary>An UPDATE: ORIGIN, AS_PATH and NEXT_HOP always (so any NLRI is legal), the rest sometimes.</summary>
    public static Gen<BgpMessage> Update(bool fourOctetAs)
    {
        var asn = fourOctetAs ? Gen.UInt : Gen.UInt[0, ushort.MaxValue];
        var segment = Gen.Select(Pick(AsPathSegmentType.AsSet, AsPathSegmentType.AsSequence, AsPathSegmentType.ConfedSequence, AsPathSegmentType.ConfedSet), asn.Array[1, 10],
            (t, asns) => new AsPathSegment(t, asns));
        Gen<PathAttribute?>[] parts =
        [
            Pick(Origin.Igp, Origin.Egp, Origin.Incomplete).Select(o => (PathAttribute?)new OriginAttribute(o)),
            segment.Array[0, 3].Select(s => (PathAttribute?)new AsPathAttribute(s)),
            Gen.UInt[0x0100_0000, 0xDFFF_FFFF].Select(a => (PathAttribute?)new NextHopAttribute(V4Address(a))),
            Maybe(Gen.UInt.Select(v => (PathAttribute)new MultiExitDiscAttribute(v))),
            Maybe(Gen.UInt.Select(v => (PathAttribute)new LocalPrefAttribute(v))),
            Maybe(Gen.UInt.Array[0, 8].Select(c => (PathAttribute)new CommunitiesAttribute(c))),
            Maybe(Gen.Select(Gen.UInt, Gen.UInt, Gen.UInt, (g, a, b) => new LargeCommunity(g, a, b)).Array[0, 4].Select(c => (PathAttribute)new LargeCommunitiesAttribute(c))),
            Maybe(Gen.Select(V6, Gen.Bool, V6, Prefix6.Array[0, 10], (hop, local, ll, nlri) => (PathAttribute)new MpReachNlriAttribute(Afi.Ipv6, Safi.Unicast, hop, local ? ll : null, nlri))),
            Maybe(Prefix6.Array[0, 10].Select(w => (PathAttribute)new MpUnreachNlriAttribute(Afi.Ipv6, Safi.Unicast, w))),
            Maybe(Raw),
        ];
        var attributes = Gen.Const(ImmutableArray<PathAttribute>.Empty);
        foreach (var part in parts)
        {
            attributes = Gen.Select(attributes, part, (list, a) => a is null ? list : list.Add(a));
        }

        return Gen.Select(Prefix4.Array[0, 20], attributes, Prefix4.Array[0, 20], (w, a, n) => (BgpMessage)new UpdateMessage(w, a, n));
    }

    /// <summary>Any message that encodes (under 4,096 bytes), with the AS size it is meant for.</summary>
    public static readonly Gen<(bool FourOctetAs, BgpMessage Message)> Message = Gen.Bool.SelectMany(four =>
        Gen.OneOf(Open, Update(four), Update(four), Notification, RouteRefresh, Gen.Const<BgpMessage>(KeepaliveMessage.Instance))
            .Where(m => BgpCodec.GetEncodedLength(m, four) > 0)
            .Select(m => (four, m)));

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static Gen<PathAttribute?> Maybe(Gen<PathAttribute> gen) => Gen.Select(Gen.Bool, gen, (include, a) => include ? a : null);

    private static IPAddress V4Address(uint a) => new([(byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a]);

    private static IPAddress V6Address(UInt128 a)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, a);
        return new IPAddress(bytes);
    }
}
