namespace IronLb.Speaker.Membership;

/// <summary>
/// Timing of the heartbeat protocol. Every speaker must use the same values: the majority rule compares
/// what peers report with what this speaker sees, and that only lines up when the windows are equal.
/// </summary>
internal sealed record MembershipOptions
{
    public const int DefaultPort = 7947;

    /// <summary>How often a heartbeat goes to every peer.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A peer stops being "heard" after this many intervals without an accepted heartbeat. Four tolerates
    /// three consecutive losses (5% loss makes that a one-in-8000 event per peer and window).
    /// </summary>
    public int MissedHeartbeats { get; init; } = 4;

    /// <summary>
    /// A heartbeat that arrives later than this, measured against the fastest delivery seen from the same
    /// sender incarnation, is refused: it is a held-back replay (or useless anyway, being older than the window).
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The window in which a peer counts as heard.</summary>
    public TimeSpan HeardWindow => Interval * MissedHeartbeats;

    /// <summary>
    /// Upper bound from a crash to every surviving speaker dropping the node: the heard window runs out,
    /// then the other speakers' next heartbeats (one interval) carry their agreement, plus one interval for
    /// the sender phases. 600 ms with the defaults.
    /// </summary>
    public TimeSpan DetectionTime => HeardWindow + (2 * Interval);

    public void Validate()
    {
        if (Interval <= TimeSpan.Zero || MissedHeartbeats < 2 || MaxDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), "membership interval must be positive, missed heartbeats at least 2, max delay positive");
        }
    }
}
