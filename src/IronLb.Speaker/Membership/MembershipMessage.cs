using System.Collections.Immutable;

namespace IronLb.Speaker.Membership;

internal enum MessageKind : byte
{
    Heartbeat = 1,
    Goodbye = 2,
}

/// <summary>
/// One datagram. StartedAtUnixMs orders incarnations (wall clock, read once at start, so a clock step
/// later never matters); UptimeMs is monotonic within the incarnation and drives the delay check.
/// </summary>
internal sealed record MembershipMessage(
    MessageKind Kind,
    string Sender,
    ulong Incarnation,
    ulong Sequence,
    long StartedAtUnixMs,
    long UptimeMs,
    ImmutableArray<string> Hears)
{
    /// <summary>
    /// Whether the sender may be elected: false while it has never had a valid configuration. It still
    /// heartbeats and votes, so it counts for quorum, but every node leaves it out of the election.
    /// </summary>
    public bool Eligible { get; init; } = true;
}
