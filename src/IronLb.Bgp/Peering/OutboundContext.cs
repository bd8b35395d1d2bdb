using System.Net;
using System.Net.Sockets;
using IronLb.Bgp.Session;

namespace IronLb.Bgp.Peering;

/// <summary>
/// What one Established session lets us send: the negotiated terms (families, AS width, iBGP or eBGP) and the next
/// hops the driver found for it. A family without a next hop cannot be announced (<see cref="CanSend"/>).
/// </summary>
/// <param name="LocalAsn">Our ASN: the eBGP AS_PATH, and iBGP when the peer's equals it.</param>
/// <param name="Session">The terms both OPENs agreed.</param>
/// <param name="NextHopV4">NEXT_HOP for IPv4 routes.</param>
/// <param name="NextHopV6">The global next hop of MP_REACH_NLRI for IPv6 routes.</param>
/// <param name="NextHopV6LinkLocal">The link-local one that follows it (RFC 2545 §3), when known.</param>
public sealed record OutboundContext(uint LocalAsn, NegotiatedSession Session, IPAddress? NextHopV4, IPAddress? NextHopV6, IPAddress? NextHopV6LinkLocal = null)
{
    public bool IsInternal => Session.IsInternal(LocalAsn);

    /// <summary>The family is negotiated and has a next hop of its own kind.</summary>
    public bool CanSend(IPNetwork prefix) => prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6
        ? Session.Families.AsSpan().Contains(BgpFamily.Ipv6Unicast) && NextHopV6 is { AddressFamily: AddressFamily.InterNetworkV6 }
        : Session.Families.AsSpan().Contains(BgpFamily.Ipv4Unicast) && NextHopV4 is { AddressFamily: AddressFamily.InterNetwork };
}
