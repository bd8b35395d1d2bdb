using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Wire;
using IronLb.Core.Addressing;
using IronLb.Core.Announcement;

namespace IronLb.Speaker.Bgp;

/// <summary>Core's routes (domain addresses and communities) as the driver's (System.Net prefixes and wire values).</summary>
internal static class BgpRouteMapping
{
    public static ImmutableArray<OutboundRoute> ToOutbound(IEnumerable<BgpRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return
        [
            .. routes.Select(r => new OutboundRoute(
                new IPNetwork(ToIPAddress(r.Prefix.First), r.Prefix.PrefixLength),
                r.LocalPref,
                [.. r.Communities.Select(c => c.GlobalAdministrator)],
                [.. r.LargeCommunities.Select(c => new LargeCommunity(c.GlobalAdministrator, c.LocalData1, c.LocalData2))])),
        ];
    }

    public static IPAddress ToIPAddress(Address address)
    {
        if (address.Family == IpFamily.IPv4)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)address.Value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, address.Value);
        return new IPAddress(v6);
    }
}
