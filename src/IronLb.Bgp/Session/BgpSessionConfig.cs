using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Session;

/// <summary>How the peer's ASN is judged when no fixed one is configured (MetalLB's <c>dynamicASN</c>).</summary>
public enum DynamicAsn : byte
{
    /// <summary>A fixed ASN is configured (<see cref="BgpSessionConfig.PeerAsn"/>).</summary>
    None = 0,

    /// <summary>The peer's ASN must equal ours (iBGP).</summary>
    Internal,

    /// <summary>The peer's ASN must differ from ours (eBGP).</summary>
    External,
}

/// <summary>An address family and subsequent family pair, as negotiated with the multiprotocol capability.</summary>
public readonly record struct BgpFamily(Afi Afi, Safi Safi)
{
    public static BgpFamily Ipv4Unicast { get; } = new(Afi.Ipv4, Safi.Unicast);

    public static BgpFamily Ipv6Unicast { get; } = new(Afi.Ipv6, Safi.Unicast);
}

/// <summary>
/// One session's settings, fixed for its life (a change makes a new session, as in MetalLB). Times are whole
/// seconds on the wire; sub-second parts are dropped when the OPEN is built.
/// </summary>
/// <param name="LocalAsn">Our ASN; above 65535 it needs a peer with the 4-octet AS capability.</param>
/// <param name="PeerAsn">The ASN the peer must present, or 0 with <see cref="Dynamic"/> set.</param>
/// <param name="RouterId">Our BGP Identifier (an IPv4 address as a big-endian number); never 0.</param>
public sealed record BgpSessionConfig(uint LocalAsn, uint PeerAsn, uint RouterId)
{
    /// <summary>RFC 4271 §10's suggested hold time, and MetalLB's default.</summary>
    public static readonly TimeSpan DefaultHoldTime = TimeSpan.FromSeconds(90);

    /// <summary>RFC 4271 §10's suggested ConnectRetryTime.</summary>
    public static readonly TimeSpan DefaultConnectRetryTime = TimeSpan.FromSeconds(120);

    /// <summary>RFC 4271 §8.2.2: the hold timer while waiting for the peer's OPEN.</summary>
    public static readonly TimeSpan LargeHoldTime = TimeSpan.FromMinutes(4);

    public DynamicAsn Dynamic { get; init; }

    /// <summary>Offered in our OPEN; the session uses the smaller of ours and the peer's. Zero: no keepalives, no hold timer.</summary>
    public TimeSpan HoldTime { get; init; } = DefaultHoldTime;

    /// <summary>Null: a third of the negotiated hold time. Otherwise the smaller of this and that third.</summary>
    public TimeSpan? KeepaliveTime { get; init; }

    /// <summary>
    /// How long one dial may take before it is abandoned and retried (RFC 4271's ConnectRetryTimer; MetalLB's
    /// <c>connectTime</c> in FRR mode; its native speaker uses a fixed 10 s per attempt instead).
    /// </summary>
    public TimeSpan ConnectRetryTime { get; init; } = DefaultConnectRetryTime;

    /// <summary>The first wait in Idle after a failure (RFC 4271 §8.1.1 IdleHoldTimer); it doubles on each further failure.</summary>
    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap of the doubling, MetalLB's 120 s. An Established session that lasted this long resets the doubling.</summary>
    public TimeSpan MaxIdleHoldTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Families we offer with the multiprotocol capability; we announce only into their intersection with the peer's.</summary>
    public EquatableArray<BgpFamily> Families { get; init; } = [BgpFamily.Ipv4Unicast, BgpFamily.Ipv6Unicast];

    /// <summary>Offer graceful restart (RFC 4724) with <see cref="RestartTime"/>.</summary>
    public bool GracefulRestart { get; init; }

    public TimeSpan RestartTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Never dial: wait in Active for the driver to hand over an accepted connection.</summary>
    public bool Passive { get; init; }

    /// <summary>Whether a peer ASN makes this iBGP (our ASN), by the fixed or dynamic rule.</summary>
    public bool IsInternal(uint peerAsn) => peerAsn == LocalAsn;

    /// <summary>Whether the peer may present <paramref name="peerAsn"/> (zero never).</summary>
    public bool Accepts(uint peerAsn) => peerAsn != 0 && Dynamic switch
    {
        DynamicAsn.Internal => peerAsn == LocalAsn,
        DynamicAsn.External => peerAsn != LocalAsn,
        _ => peerAsn == PeerAsn,
    };
}
