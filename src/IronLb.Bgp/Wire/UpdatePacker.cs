using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IronLb.Bgp.Wire;

/// <summary>
/// The attributes a set of routes shares. <see cref="Attributes"/> are written into every announcing UPDATE (ORIGIN,
/// AS_PATH, NEXT_HOP for IPv4, MED, LOCAL_PREF, communities…); MP_REACH/MP_UNREACH are the packer's, and NEXT_HOP is
/// left out of IPv6 UPDATEs, whose next hop is <see cref="Ipv6NextHop"/> (and the link-local one, RFC 2545 §3).
/// </summary>
public sealed record RouteTemplate(EquatableArray<PathAttribute> Attributes, IPAddress? Ipv6NextHop = null, IPAddress? Ipv6LinkLocalNextHop = null);

/// <summary>
/// Packs announcements and withdrawals into as few UPDATEs as fit in 4,096 bytes each. MetalLB's native speaker
/// sends one UPDATE per prefix (metallb-bgp.md §4), so 1,000 Services cost 1,000 messages and as many best-path
/// runs on the router; a /32 costs 5 bytes of NLRI, so one UPDATE carries about 800 of them.
/// IPv4 unicast goes in the classic withdrawn-routes and NLRI fields, IPv6 unicast in MP_UNREACH_NLRI and
/// MP_REACH_NLRI (placed first, as RFC 7606 §5.1 asks). Withdrawals come first, then announcements, each in input
/// order; a prefix listed twice is sent once, and a prefix both announced and withdrawn is only announced (the
/// announcement replaces the old route).
/// </summary>
public static class UpdatePacker
{
    /// <summary>What every UPDATE spends before its variable part: header, withdrawn-routes length, attribute length.</summary>
    private const int Budget = BgpConstants.MaxMessageLength - BgpConstants.MinUpdateLength;

    /// <summary>Extended-length attribute header plus AFI and SAFI.</summary>
    private const int MpOverhead = 4 + 3;

    public static ImmutableArray<UpdateMessage> Pack(IEnumerable<IPNetwork> announce, IEnumerable<IPNetwork> withdraw, RouteTemplate template, bool fourOctetAs)
    {
        ArgumentNullException.ThrowIfNull(announce);
        ArgumentNullException.ThrowIfNull(withdraw);
        ArgumentNullException.ThrowIfNull(template);

        var seen = new HashSet<IPNetwork>();
        var (announce4, announce6) = Split(announce, seen);
        var (withdraw4, withdraw6) = Split(withdraw, seen);
        var updates = ImmutableArray.CreateBuilder<UpdateMessage>();

        foreach (var chunk in Chunks(withdraw4, Budget))
        {
            updates.Add(new UpdateMessage(chunk, [], []));
        }

        foreach (var chunk in Chunks(withdraw6, Budget - MpOverhead))
        {
            updates.Add(new UpdateMessage([], [new MpUnreachNlriAttribute(Afi.Ipv6, Safi.Unicast, chunk)], []));
        }

        if (announce4.Count > 0)
        {
            var attributes = Without(template.Attributes, AttributeType.MpReachNlri, AttributeType.MpUnreachNlri);
            if (!Has(attributes, AttributeType.NextHop))
            {
                throw new ArgumentException("IPv4 routes need a NEXT_HOP attribute in the template.", nameof(template));
            }

            var room = Budget - Measure(attributes, fourOctetAs);
            foreach (var chunk in Chunks(announce4, room))
            {
                updates.Add(new UpdateMessage([], attributes, chunk));
            }
        }

        if (announce6.Count > 0)
        {
            if (template.Ipv6NextHop is not { AddressFamily: AddressFamily.InterNetworkV6 } nextHop)
            {
                throw new ArgumentException("IPv6 routes need an IPv6 next hop in the template.", nameof(template));
            }

            var attributes = Without(template.Attributes, AttributeType.MpReachNlri, AttributeType.MpUnreachNlri, AttributeType.NextHop);
            var nextHopLength = template.Ipv6LinkLocalNextHop is null ? 16 : 32;
            var room = Budget - Measure(attributes, fourOctetAs) - MpOverhead - 2 - nextHopLength;
            foreach (var chunk in Chunks(announce6, room))
            {
                var reach = new MpReachNlriAttribute(Afi.Ipv6, Safi.Unicast, nextHop, template.Ipv6LinkLocalNextHop, chunk);
                updates.Add(new UpdateMessage([], [reach, .. attributes], []));
            }
        }

        return updates.ToImmutable();
    }

    private static (List<IPNetwork> V4, List<IPNetwork> V6) Split(IEnumerable<IPNetwork> prefixes, HashSet<IPNetwork> seen)
    {
        var v4 = new List<IPNetwork>();
        var v6 = new List<IPNetwork>();
        foreach (var prefix in prefixes)
        {
            if (seen.Add(prefix))
            {
                (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4).Add(prefix);
            }
        }

        return (v4, v6);
    }

    private static EquatableArray<PathAttribute> Without(EquatableArray<PathAttribute> attributes, params ReadOnlySpan<AttributeType> types)
    {
        var kept = new List<PathAttribute>(attributes.Count);
        foreach (var attribute in attributes)
        {
            if (!types.Contains(attribute.TypeCode))
            {
                kept.Add(attribute);
            }
        }

        return [.. kept];
    }

    private static bool Has(EquatableArray<PathAttribute> attributes, AttributeType type)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.TypeCode == type)
            {
                return true;
            }
        }

        return false;
    }

    private static int Measure(EquatableArray<PathAttribute> attributes, bool fourOctetAs)
    {
        var length = BgpCodec.AttributesLength(attributes.AsSpan(), fourOctetAs);
        return length < 0
            ? throw new ArgumentException("The template's attributes cannot be encoded.", nameof(attributes))
            : length;
    }

    /// <summary>Greedy runs of prefixes whose encoded NLRI fits <paramref name="room"/> bytes, in order.</summary>
    private static IEnumerable<EquatableArray<IPNetwork>> Chunks(List<IPNetwork> prefixes, int room)
    {
        if (prefixes.Count > 0 && room < 17)
        {
            throw new ArgumentException("The template's attributes leave no room for a prefix in a 4,096-byte UPDATE.", nameof(room));
        }

        var start = 0;
        var used = 0;
        for (var i = 0; i < prefixes.Count; i++)
        {
            var size = BgpCodec.PrefixLength(prefixes[i]);
            if (used + size > room)
            {
                yield return ImmutableArray.Create(CollectionsMarshal.AsSpan(prefixes).Slice(start, i - start));
                start = i;
                used = 0;
            }

            used += size;
        }

        if (start < prefixes.Count)
        {
            yield return ImmutableArray.Create(CollectionsMarshal.AsSpan(prefixes)[start..]);
        }
    }
}
