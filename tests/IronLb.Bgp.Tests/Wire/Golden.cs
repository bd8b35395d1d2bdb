using System.Net;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>
/// Messages written byte by byte from the RFC layouts, with the values they stand for. The golden tests check both
/// directions against these; the fault table derives its broken messages from them.
/// </summary>
internal static class Golden
{
    /// <summary>RFC 4271 §4.1: sixteen octets of ones.</summary>
    public static readonly byte[] Marker = [.. Enumerable.Repeat((byte)0xFF, 16)];

    public static readonly byte[] Keepalive =
    [
        .. Marker,
        0x00, 0x13, // length 19: the header alone
        0x04,       // type KEEPALIVE
    ];

    /// <summary>The OPEN a speaker with a 4-octet ASN sends: AS_TRANS in My AS, the real ASN in capability 65.</summary>
    public static readonly byte[] Open =
    [
        .. Marker,
        0x00, 0x3B,             // length 59 = 19 + 10 + 30
        0x01,                   // type OPEN
        0x04,                   // version 4
        0x5B, 0xA0,             // My AS: AS_TRANS 23456 (4200000001 does not fit)
        0x00, 0x5A,             // hold time 90 s
        0xC0, 0x00, 0x02, 0x01, // BGP Identifier 192.0.2.1
        0x1E,                   // optional parameters length 30
        0x02, 0x1C,             // parameter type 2 (capabilities), length 28
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01,                   // multiprotocol: AFI 1 (IPv4), reserved, SAFI 1 (unicast)
        0x01, 0x04, 0x00, 0x02, 0x00, 0x01,                   // multiprotocol: AFI 2 (IPv6), reserved, SAFI 1
        0x02, 0x00,                                           // route refresh, no value
        0x40, 0x06, 0x80, 0x78, 0x00, 0x01, 0x01, 0x80,       // graceful restart: R bit + 120 s; IPv4 unicast, forwarding kept
        0x41, 0x04, 0xFA, 0x56, 0xEA, 0x01,                   // 4-octet AS: 4200000001
    ];

    public static OpenMessage OpenValue => OpenMessage.Create(4_200_000_001, 90, 0xC000_0201,
    [
        new MultiprotocolCapability(Afi.Ipv4, Safi.Unicast),
        new MultiprotocolCapability(Afi.Ipv6, Safi.Unicast),
        new RouteRefreshCapability(),
        new GracefulRestartCapability(GracefulRestartCapability.RestartStateFlag, 120, [new GracefulRestartFamily(Afi.Ipv4, Safi.Unicast, GracefulRestartFamily.ForwardingStateFlag)]),
    ]);

    /// <summary>Attribute octets an IPv4 UPDATE needs, for the fault rows: ORIGIN IGP, AS_PATH 64512 (4-octet), NEXT_HOP 192.0.2.7.</summary>
    public static readonly byte[] OriginIgp = [0x40, 0x01, 0x01, 0x00];
    public static readonly byte[] AsPath4 = [0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFC, 0x00];
    public static readonly byte[] NextHop7 = [0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x07];
    public static readonly byte[] Slash32 = [0x20, 0xC6, 0x33, 0x64, 0x0A]; // 198.51.100.10/32

    /// <summary>An eBGP IPv4 UPDATE with every classic attribute, 4-octet AS negotiated.</summary>
    public static readonly byte[] UpdateV4 =
    [
        .. Marker,
        0x00, 0x5D,                         // length 93
        0x02,                               // type UPDATE
        0x00, 0x05,                         // withdrawn routes length 5
        0x20, 0xC6, 0x33, 0x64, 0x0B,       //   198.51.100.11/32
        0x00, 0x38,                         // total path attribute length 56
        0x40, 0x01, 0x01, 0x00,             //   ORIGIN (well-known transitive), length 1: IGP
        0x40, 0x02, 0x06,                   //   AS_PATH, length 6
        0x02, 0x01, 0x00, 0x00, 0xFC, 0x00, //     AS_SEQUENCE of 1: 64512 (4 octets)
        0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x07, // NEXT_HOP 192.0.2.7
        0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x0A, // MULTI_EXIT_DISC (optional non-transitive): 10
        0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, // LOCAL_PREF 100
        0xC0, 0x08, 0x04, 0xFD, 0xE8, 0x00, 0x01, // COMMUNITIES (optional transitive): 65000:1
        0xC0, 0x20, 0x0C,                   //   LARGE_COMMUNITY, length 12
        0x00, 0x00, 0xFC, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // 64512:1:2
        0x20, 0xC6, 0x33, 0x64, 0x0A,       // NLRI 198.51.100.10/32
        0x18, 0xCB, 0x00, 0x71,             // NLRI 203.0.113.0/24 (three octets for 24 bits)
    ];

    public static UpdateMessage UpdateV4Value => new(
        [IPNetwork.Parse("198.51.100.11/32")],
        [
            new OriginAttribute(Origin.Igp),
            AsPathAttribute.Originated(64512),
            new NextHopAttribute(IPAddress.Parse("192.0.2.7")),
            new MultiExitDiscAttribute(10),
            new LocalPrefAttribute(100),
            new CommunitiesAttribute([0xFDE8_0001]),
            new LargeCommunitiesAttribute([new LargeCommunity(64512, 1, 2)]),
        ],
        [IPNetwork.Parse("198.51.100.10/32"), IPNetwork.Parse("203.0.113.0/24")]);

    /// <summary>An iBGP IPv6 UPDATE: MP_REACH_NLRI with a global and a link-local next hop.</summary>
    public static readonly byte[] UpdateV6 =
    [
        .. Marker,
        0x00, 0x65,                         // length 101
        0x02,                               // type UPDATE
        0x00, 0x00,                         // no IPv4 withdrawals
        0x00, 0x4E,                         // total path attribute length 78
        0x80, 0x0E, 0x3D,                   //   MP_REACH_NLRI (optional non-transitive), length 61
        0x00, 0x02, 0x01,                   //     AFI 2 (IPv6), SAFI 1
        0x20,                               //     next hop length 32: global + link-local
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, // 2001:db8::7
        0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,       // fe80::7
        0x00,                               //     reserved (was SNPAs)
        0x80, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, // 2001:db8:1::10/128
        0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x02, // 2001:db8:2::/48 (six octets)
        0x40, 0x01, 0x01, 0x00,             //   ORIGIN IGP
        0x40, 0x02, 0x00,                   //   AS_PATH empty (iBGP)
        0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, // LOCAL_PREF 100
    ];

    public static UpdateMessage UpdateV6Value => new(
        [],
        [
            new MpReachNlriAttribute(Afi.Ipv6, Safi.Unicast, IPAddress.Parse("2001:db8::7"), IPAddress.Parse("fe80::7"),
                [IPNetwork.Parse("2001:db8:1::10/128"), IPNetwork.Parse("2001:db8:2::/48")]),
            new OriginAttribute(Origin.Igp),
            new AsPathAttribute([]),
            new LocalPrefAttribute(100),
        ],
        []);

    public static readonly byte[] WithdrawV6 =
    [
        .. Marker,
        0x00, 0x2E,                         // length 46
        0x02,                               // type UPDATE
        0x00, 0x00,                         // no IPv4 withdrawals
        0x00, 0x17,                         // total path attribute length 23
        0x80, 0x0F, 0x14,                   //   MP_UNREACH_NLRI, length 20
        0x00, 0x02, 0x01,                   //     AFI 2, SAFI 1
        0x80, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, // 2001:db8:1::10/128
    ];

    public static UpdateMessage WithdrawV6Value => new([], [new MpUnreachNlriAttribute(Afi.Ipv6, Safi.Unicast, [IPNetwork.Parse("2001:db8:1::10/128")])], []);

    public static readonly byte[] Notification =
    [
        .. Marker,
        0x00, 0x1B,                         // length 27
        0x03,                               // type NOTIFICATION
        0x06, 0x02,                         // Cease / Administrative Shutdown (RFC 9003)
        0x05, 0x64, 0x72, 0x61, 0x69, 0x6E, // reason length 5, "drain"
    ];

    public static readonly byte[] RouteRefresh =
    [
        .. Marker,
        0x00, 0x17,                         // length 23
        0x05,                               // type ROUTE-REFRESH
        0x00, 0x02, 0x00, 0x01,             // AFI 2, reserved, SAFI 1
    ];

    /// <summary>A header around <paramref name="body"/> with the right length (or <paramref name="length"/> when given).</summary>
    public static byte[] Message(byte type, ReadOnlySpan<byte> body, int? length = null)
    {
        var total = length ?? (19 + body.Length);
        return [.. Marker, (byte)(total >> 8), (byte)total, type, .. body];
    }

    /// <summary>An UPDATE from its three fields, lengths computed.</summary>
    public static byte[] Update(ReadOnlySpan<byte> withdrawn, ReadOnlySpan<byte> attributes, ReadOnlySpan<byte> nlri) =>
        Message(2, [(byte)(withdrawn.Length >> 8), (byte)withdrawn.Length, .. withdrawn, (byte)(attributes.Length >> 8), (byte)attributes.Length, .. attributes, .. nlri]);

    /// <summary>An OPEN body from its fields, optional parameters as given.</summary>
    public static byte[] OpenWith(byte version = 4, ushort myAs = 64512, ushort hold = 90, uint id = 0xC0000201, byte[]? parameters = null)
    {
        parameters ??= [0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0xFC, 0x00];
        return Message(1, [version, (byte)(myAs >> 8), (byte)myAs, (byte)(hold >> 8), (byte)hold, (byte)(id >> 24), (byte)(id >> 16), (byte)(id >> 8), (byte)id, (byte)parameters.Length, .. parameters]);
    }
}
