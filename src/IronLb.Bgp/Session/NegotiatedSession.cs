using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>
/// What both OPENs agreed: the terms the encoder and the speaker work with for this connection's life.
/// </summary>
/// <param name="PeerAsn">The peer's real ASN (from its 4-octet capability when present).</param>
/// <param name="PeerIdentifier">The peer's BGP Identifier.</param>
/// <param name="HoldTime">The smaller of both offers; zero means no hold timer and no keepalives.</param>
/// <param name="KeepaliveTime">Our KEEPALIVE interval; zero with a zero hold time.</param>
/// <param name="FourOctetAs">Both offered RFC 6793: AS_PATH is written with 4-octet ASNs.</param>
/// <param name="Families">The families both support: announce only these.</param>
/// <param name="RouteRefresh">The peer can ask for our routes again (RFC 2918).</param>
/// <param name="GracefulRestart">Both offered RFC 4724: send End-of-RIB; the peer keeps our routes across a restart.</param>
/// <param name="PeerRestartTime">The peer's restart time, when it offered graceful restart.</param>
public sealed record NegotiatedSession(
    uint PeerAsn,
    uint PeerIdentifier,
    TimeSpan HoldTime,
    TimeSpan KeepaliveTime,
    bool FourOctetAs,
    EquatableArray<BgpFamily> Families,
    bool RouteRefresh,
    bool GracefulRestart,
    TimeSpan PeerRestartTime)
{
    public bool IsInternal(uint localAsn) => PeerAsn == localAsn;
}
