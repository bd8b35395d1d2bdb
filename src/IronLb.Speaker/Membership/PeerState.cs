namespace IronLb.Speaker.Membership;

/// <summary>What one speaker knows about one peer incarnation. Mutable, owned by MembershipProtocol only.</summary>
internal sealed class PeerState
{
    public required ulong Incarnation { get; init; }
    public required long StartedAtUnixMs { get; init; }
    public ulong Sequence { get; set; }

    /// <summary>Our elapsed time at the last accepted heartbeat.</summary>
    public TimeSpan LastHeard { get; set; }

    /// <summary>
    /// Smallest (our elapsed ms − sender uptime ms) seen lately: the fastest delivery, the base for the delay check.
    /// A sliding minimum, so a clock-rate difference between the two nodes never adds up to a lockout.
    /// </summary>
    public SlidingMinimum MinOffsetMs;

    /// <summary>The sender's uptime in its last heartbeat: its report only counts once it has run a full window.</summary>
    public long SenderUptimeMs { get; set; }

    /// <summary>Whom the peer heard when it sent its last heartbeat.</summary>
    public IReadOnlySet<string> Hears { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    public bool Left { get; set; }

    /// <summary>The eligibility in its last heartbeat: an ineligible peer is live and votes, but is not elected.</summary>
    public bool Eligible { get; set; } = true;
}
