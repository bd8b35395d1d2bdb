namespace IronLb.Speaker.Membership.Ring;

/// <summary>What one node keeps about one other member. Times are our own elapsed monotonic time.</summary>
internal sealed class RingPeer
{
    public ReplayWindow Replay;

    /// <summary>Send time of our sequence most recently echoed by this peer's current incarnation: "heard" while younger than W.</summary>
    public TimeSpan ProofSentAt { get; set; } = TimeSpan.MinValue;

    /// <summary>The same, but only from heartbeats carrying HearYou: counts for our fence while younger than W_f.</summary>
    public TimeSpan FenceEchoAt { get; set; } = TimeSpan.MinValue;

    /// <summary>When we last told this peer's current incarnation "I hear you": no down observation until W_f + margin later.</summary>
    public TimeSpan LastHearYouSent { get; set; } = TimeSpan.MinValue;

    /// <summary>Since when this peer has been our ring neighbour (TimeSpan.MaxValue: not a neighbour).</summary>
    public TimeSpan NeighbourSince { get; set; } = TimeSpan.MaxValue;

    public uint Generation { get; set; }

    public RingFlags Flags { get; set; }

    public TimeSpan DigestMismatchSince { get; set; } = TimeSpan.MaxValue;

    public TimeSpan LastPull { get; set; } = TimeSpan.MinValue;

    /// <summary>Last time we told this peer its own incarnation had ended (it is a zombie that missed its verdict).</summary>
    public TimeSpan LastToldEnded { get; set; } = TimeSpan.MinValue;

    /// <summary>Forgets every proof: they belonged to the peer's previous incarnation.</summary>
    public void ResetProofs()
    {
        ProofSentAt = TimeSpan.MinValue;
        FenceEchoAt = TimeSpan.MinValue;
        LastHearYouSent = TimeSpan.MinValue;
        DigestMismatchSince = TimeSpan.MaxValue;
    }
}
