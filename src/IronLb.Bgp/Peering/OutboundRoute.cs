using System.Net;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>
/// One route the speaker wants a peer to have: a Service address (a /32 or /128, or an aggregate) and the
/// attributes its BGPAdvertisements give it. Value equality, so an unchanged route is never re-sent.
/// </summary>
/// <param name="Prefix">The prefix, host bits clear.</param>
/// <param name="LocalPref">BGPAdvertisement <c>localPref</c>; sent to iBGP peers only; null is unset (<see cref="AdjRibOut.UnsetLocalPref"/> on the wire).</param>
/// <param name="Communities">RFC 1997 values (<c>ASN &lt;&lt; 16 | value</c>), in the order to send.</param>
/// <param name="LargeCommunities">RFC 8092 values, in the order to send.</param>
public sealed record OutboundRoute(
    IPNetwork Prefix,
    uint? LocalPref = null,
    EquatableArray<uint> Communities = default,
    EquatableArray<LargeCommunity> LargeCommunities = default);
