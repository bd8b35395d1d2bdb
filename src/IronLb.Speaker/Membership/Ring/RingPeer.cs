namespace IronLb.Speaker.Membership.Ring;

/// <summary>What one node keeps about one other member. Times are our own elapsed monotonic time.</summary>
internal sealed class RingPeer
{
    /// <summary>"Long ago": far enough back that nothing counts, near enough that subtracting it cannot overflow.</summary>
    public static readonly TimeSpan Never = TimeSpan.FromDays(-36_500);

    public ReplayWindow Replay;

    /// <summary>Send time of our sequence most recently echoed by this peer's current incarnation: "heard" while younger than W.</summary>
    public TimeSpan ProofSentAt { get; set; } = Never;

    /// <summary>The same, but only from heartbeats carrying HearYou: counts for our fence while younger than W_f.</summary>
    public TimeSpan FenceEchoAt { get; set; } = Never;

    /// <summary>When we last told this peer's current incarnation "I hear you": no down observation until W_f + margin later.</summary>
    public TimeSpan LastHearYouSent { get; set; } = Never;

    /// <summary>Since when this peer has been our ring neighbour (TimeSpan.MaxValue: not a neighbour).</summary>
    public TimeSpan NeighbourSince { get; set; } = TimeSpan.MaxValue;

    /// <summary>The ring shifted this neighbour onto us after our start; its down observations wait for the correlated delay.</summary>
    public bool ShiftedIn { get; set; }

    /// <summary>When we first saw the peer's current incarnation.</summary>
    public TimeSpan IncarnationSeenAt { get; set; } = Never;

    /// <summary>When we sent this peer a heartbeat that it has not answered yet (TimeSpan.MaxValue: none outstanding or already retried).</summary>
    public TimeSpan AwaitingReplySince { get; set; } = TimeSpan.MaxValue;

    /// <summary>When an alive verdict on a later incarnation replaced the end our book held (a rejoin); Never otherwise.</summary>
    public TimeSpan EstablishedAt { get; set; } = Never;

    public uint Generation { get; set; }

    public RingFlags Flags { get; set; }

    public TimeSpan DigestMismatchSince { get; set; } = TimeSpan.MaxValue;

    /// <summary>The verdict digest on this peer's latest heartbeat, and when it came: a joiner compares its book with it.</summary>
    public ulong BookDigest { get; set; }

    public TimeSpan HeartbeatAt { get; set; } = Never;

    public TimeSpan LastPull { get; set; } = Never;

    /// <summary>Last time we told this peer its own incarnation had ended (it is a zombie that missed its verdict).</summary>
    public TimeSpan LastToldEnded { get; set; } = Never;

    /// <summary>Forgets every proof: they belonged to the peer's previous incarnation.</summary>
    public void ResetProofs()
    {
        ProofSentAt = Never;
        FenceEchoAt = Never;
        LastHearYouSent = Never;
        DigestMismatchSince = TimeSpan.MaxValue;
    }
}
