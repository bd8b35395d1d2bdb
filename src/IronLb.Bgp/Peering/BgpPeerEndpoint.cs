using System.Net;

namespace IronLb.Bgp.Peering;

/// <summary>
/// Where and how to reach one peer: the TCP side of a BGPPeer (the session side is <see cref="Session.BgpSessionConfig"/>).
/// </summary>
/// <param name="Remote">The peer's address and port (BGPPeer <c>peerAddress</c>, <c>peerPort</c>).</param>
public sealed record BgpPeerEndpoint(IPEndPoint Remote)
{
    /// <summary>MetalLB's native speaker gives each attempt 10 s (connect, OPEN out, OPEN in); ours covers the TCP connect.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The TTL (hop limit) of an eBGP multihop session, as FRR and BIRD set it.</summary>
    public const int MultiHopTtl = 255;

    /// <summary>BGPPeer <c>sourceAddress</c>: bound before connect; null lets the kernel choose.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>BGPPeer <c>password</c>: TCP MD5 (RFC 2385), at most 80 bytes, set before connect.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// BGPPeer <c>ebgpMultiHop</c>: TTL 255. Without it the socket keeps the kernel's default TTL (64), not the
    /// TTL 1 of FRR and BIRD: MetalLB's native speaker never set one, so a peer two hops away works without the flag
    /// (metallb-bgp.md §1.1), and a drop-in replacement must not break such configurations.
    /// </summary>
    public bool EbgpMultiHop { get; init; }

    /// <summary>How long one dial may take (MetalLB's <c>connectTime</c>); bounded above by the session's connect-retry time.</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>NEXT_HOP for IPv4 routes; null: the connection's local address when it is IPv4.</summary>
    public IPAddress? NextHopV4 { get; init; }

    /// <summary>The global IPv6 next hop; null: the connection's local address when it is IPv6.</summary>
    public IPAddress? NextHopV6 { get; init; }

    /// <summary>The link-local IPv6 next hop (RFC 2545); null: one of the local interface's when the session runs over IPv6.</summary>
    public IPAddress? NextHopV6LinkLocal { get; init; }

    public override string ToString() => Remote.ToString();
}
