using System.Collections.Immutable;

namespace IronLb.Speaker.Membership.Ring;

internal enum RingMessageKind : byte
{
    Heartbeat = 1,
    Observation = 2,
    Gossip = 3,
    PullRequest = 4,
    PullResponse = 5,
    Ack = 6,
    AckRequest = 7,
    Round = 8,
}

[Flags]
internal enum RingFlags : byte
{
    None = 0,

    /// <summary>The sender is not answering because its observer fence or its round lease is missing (informational).</summary>
    Fenced = 1,

    /// <summary>The sender has a valid configuration and wants to be in the election.</summary>
    Eligible = 2,

    /// <summary>The sender is shutting down; its Left verdict is on the way.</summary>
    Leaving = 4,

    /// <summary>On a heartbeat: the sender hears the receiver with a proof younger than HearYouWindow, so the echo may count for the receiver's fence.</summary>
    HearYou = 8,

    All = Fenced | Eligible | Leaving | HearYou,
}

/// <summary>The fields every datagram starts with. Sequence is strictly increasing per sender incarnation, across all kinds.</summary>
internal readonly record struct RingHeader(RingMessageKind Kind, RingFlags Flags, ulong Sender, ulong Incarnation, ulong Sequence);

internal abstract record RingMessage(RingHeader Header);

/// <summary>Sent every period to each observer. The echo is the proof of freshness: it names the highest sequence the sender has received from the receiver.</summary>
internal sealed record HeartbeatMessage(RingHeader Header, ulong Receiver, ulong EchoIncarnation, ulong EchoSequence, uint Generation, ulong VerdictDigest)
    : RingMessage(Header);

internal enum Opinion : byte
{
    Down = 1,
    UpEligible = 2,
    UpIneligible = 3,
}

/// <summary>An observer's opinion of one subject incarnation (and generation, for up).</summary>
internal readonly record struct Observation(ulong Subject, ulong Incarnation, uint Generation, Opinion Opinion);

/// <summary>Observations sent to the subject's other observers, repeated every period while they disagree with the verdict book.</summary>
internal sealed record ObservationMessage(RingHeader Header, ImmutableArray<Observation> Observations) : RingMessage(Header);

internal enum VerdictKind : byte
{
    Alive = 1,
    Dead = 2,

    /// <summary>The subject said goodbye itself; its only witness is the subject.</summary>
    Left = 3,
}

/// <summary>
/// A verdict on one subject incarnation with the observers that witnessed it. Alive verdicts carry the subject's
/// generation (bumped on every eligibility change); Dead and Left end the incarnation.
/// </summary>
internal sealed record Verdict(ulong Subject, ulong Incarnation, uint Generation, VerdictKind Kind, bool Eligible, ImmutableArray<ulong> Witnesses)
{
    /// <summary>Order of verdicts on one subject: later incarnation first, then later generation; an end beats any generation.</summary>
    public (ulong Incarnation, uint Generation) Rank => (Incarnation, Kind == VerdictKind.Alive ? Generation : uint.MaxValue);

    public bool Equals(Verdict? other) =>
        other is not null && Subject == other.Subject && Incarnation == other.Incarnation && Generation == other.Generation
        && Kind == other.Kind && Eligible == other.Eligible && Witnesses.SequenceEqual(other.Witnesses);

    public override int GetHashCode() => HashCode.Combine(Subject, Incarnation, Generation, Kind, Eligible, Witnesses.Length);
}

/// <summary>Push gossip of new verdicts (kind Gossip) or the whole book in answer to a pull (kind PullResponse).</summary>
internal sealed record VerdictMessage(RingHeader Header, ImmutableArray<Verdict> Verdicts) : RingMessage(Header);

/// <summary>"Send me your book": sent to a neighbour whose verdict digest stayed different for a period.</summary>
internal sealed record PullRequestMessage(RingHeader Header) : RingMessage(Header);

/// <summary>To a joining node: the sender has applied the receiver's alive verdict for this incarnation and generation.</summary>
internal sealed record AckMessage(RingHeader Header, ulong Receiver, ulong Incarnation, uint Generation) : RingMessage(Header);

/// <summary>From a joining node to members whose ack it still misses.</summary>
internal sealed record AckRequestMessage(RingHeader Header, uint Generation) : RingMessage(Header);

/// <summary>A majority round: the current and the previous round's bitmaps (bit i = member index i was there).</summary>
internal sealed record RoundMessage(RingHeader Header, uint TableDigest, ulong Round, ImmutableArray<byte> Current, ImmutableArray<byte> Previous)
    : RingMessage(Header)
{
    public bool Equals(RoundMessage? other) =>
        other is not null && Header == other.Header && TableDigest == other.TableDigest && Round == other.Round
        && Current.SequenceEqual(other.Current) && Previous.SequenceEqual(other.Previous);

    public override int GetHashCode() => HashCode.Combine(Header, TableDigest, Round);
}
