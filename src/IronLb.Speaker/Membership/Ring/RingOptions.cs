namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// Timing and shape of membership v2 (docs/design/membership-v2.md). Every speaker must use the same values:
/// the safety argument compares one node's fence window with its observers' alert delay.
/// </summary>
internal sealed record RingOptions
{
    /// <summary>T: heartbeat period to each observer, also the gossip and observation period.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>W: an observer that has had no fresh echo for this long stops hearing the node.</summary>
    public TimeSpan HeardWindow { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>W_f: a node counts an observer's echo towards its fence for this long after sending the echoed sequence.</summary>
    public TimeSpan FenceWindow { get; init; } = TimeSpan.FromMilliseconds(350);

    /// <summary>
    /// An observer puts "I hear you" on its heartbeats only while its own proof is younger than this. Safety does not
    /// depend on it (that is <see cref="AlertHoldOff"/>); it trades speed for robustness: the last "I hear you" after a
    /// crash lies at most this long after the last proof, so a down observation follows the proof by at most
    /// HearYouWindow + AlertHoldOff. It must exceed a period plus a round trip (one exchange per period) or the flag flickers.
    /// </summary>
    public TimeSpan HearYouWindow { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Slack added to W_f between an observer's last "I hear you" and its first down observation: covers clock-rate
    /// differences (±200 ppm of 300 ms is 60 µs) with a wide margin.
    /// </summary>
    public TimeSpan FenceMargin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>An initiator sends one more heartbeat when its request has had no reply for this long (within the period).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>K: observers per member, half before and half after it on the ring.</summary>
    public int Observers { get; init; } = 4;

    /// <summary>H: observations needed for a verdict.</summary>
    public int VerdictQuorum { get; init; } = 3;

    /// <summary>Push-gossip fanout for new verdicts.</summary>
    public int Fanout { get; init; } = 3;

    /// <summary>Length of a majority round on each node's own monotonic clock.</summary>
    public TimeSpan Round { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many rounds a strict-majority bitmap keeps the round lease.</summary>
    public int LeaseRounds { get; init; } = 3;

    /// <summary>Senders' sequences accepted out of order within this many below the highest (a sliding anti-replay window).</summary>
    public const int ReplayWindow = 64;

    /// <summary>The earliest a down observation may follow the last "I hear you" sent to that node.</summary>
    public TimeSpan AlertHoldOff => FenceWindow + FenceMargin;

    /// <summary>
    /// The design's delay for correlated failures: an observer that became a node's neighbour after its own start (the
    /// ring shifted past removed members) is not necessarily counted by that node's fence, so its down observation
    /// waits this much longer than W, until the node has lost its round lease if it is cut off with its old observers.
    /// </summary>
    public TimeSpan CorrelatedDelay => RoundLease + Round;

    /// <summary>How long a node keeps the round lease after entering a round whose bitmap reached a strict majority.</summary>
    public TimeSpan RoundLease => Round * LeaseRounds;

    /// <summary>Collect-all validation: every broken rule in one message.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Period <= TimeSpan.Zero)
        {
            errors.Add("Period must be positive");
        }

        if (HeardWindow < Period * 2)
        {
            errors.Add("HeardWindow must be at least two periods");
        }

        if (FenceWindow <= TimeSpan.Zero || FenceWindow >= HeardWindow)
        {
            errors.Add("FenceWindow must be positive and shorter than HeardWindow");
        }

        if (HearYouWindow <= Period || HearYouWindow > HeardWindow)
        {
            errors.Add("HearYouWindow must be longer than a period and at most HeardWindow");
        }

        if (RetryAfter <= TimeSpan.Zero || RetryAfter >= Period)
        {
            errors.Add("RetryAfter must be positive and shorter than Period");
        }

        if (FenceMargin < TimeSpan.Zero)
        {
            errors.Add("FenceMargin must not be negative");
        }

        if (Observers < 2 || Observers % 2 != 0)
        {
            errors.Add("Observers must be even and at least 2");
        }

        if (VerdictQuorum <= Observers / 2 || VerdictQuorum > Observers)
        {
            errors.Add("VerdictQuorum must be a strict majority of Observers");
        }

        if (Fanout < 1)
        {
            errors.Add("Fanout must be at least 1");
        }

        if (Round < Period || LeaseRounds < 1)
        {
            errors.Add("Round must be at least one period and LeaseRounds at least 1");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid ring options: " + string.Join("; ", errors));
        }
    }
}
