using IronLb.Fuzz.Exercises;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The membership v2 (ring) decoder on one datagram. Unsigned: the bytes as they arrive, so almost everything stops
/// at the magic, the version or the truncated MAC (what a flood costs). Signed: the input is the part before the MAC
/// and the target appends a valid one, so the fuzzer reaches the kind, the flags and every body parser. The outcome
/// must agree with the message, and an accepted datagram must encode back to exactly the same bytes (v2 has no
/// ignored fields: a reserved byte that is not zero, or an unknown flag, is Malformed; <see cref="MembershipV2Exercise"/>).
/// </summary>
internal sealed class MembershipV2Target(bool signed) : FuzzTarget
{
    // A property, not a field: instrumented code must not run before SharpFuzz starts.
    private static MembershipKey Key => FuzzMembershipKey.Key;

    public override string Name => signed ? "membership-v2-signed" : "membership-v2";

    public override string Description => signed ? "RingCodec.TryDecode behind a valid truncated MAC" : "RingCodec.TryDecode on raw datagrams";

    public override IReadOnlyList<string> Instrument => ["IronLb.Speaker.dll"];

    public override void Run(ReadOnlySpan<byte> input) => MembershipV2Exercise.Run(input, signed);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        static RingHeader H(RingMessageKind kind, RingFlags flags = RingFlags.Eligible) => new(kind, flags, 0x0102030405060708, 7, 99);
        RingMessage[] messages =
        [
            new HeartbeatMessage(H(RingMessageKind.Heartbeat, RingFlags.HearYou | RingFlags.Eligible), 11, 3, 1234, 2, 0xFEEDFACECAFEBEEF),
            new ObservationMessage(H(RingMessageKind.Observation), [new(5, 6, 0, Opinion.Down), new(8, 9, 3, Opinion.UpIneligible)]),
            new VerdictMessage(H(RingMessageKind.Gossip), [new(5, 6, uint.MaxValue, VerdictKind.Dead, false, [1, 2, 3]), new(8, 9, 1, VerdictKind.Alive, true, [4, 5, 6, 7])]),
            new VerdictMessage(H(RingMessageKind.PullResponse), [new(5, 6, uint.MaxValue, VerdictKind.Left, false, [5])]),
            new PullRequestMessage(H(RingMessageKind.PullRequest, RingFlags.Leaving)),
            new AckMessage(H(RingMessageKind.Ack), 12, 13, 14),
            new AckRequestMessage(H(RingMessageKind.AckRequest, RingFlags.Fenced), 15),
            new RoundMessage(H(RingMessageKind.Round), 0xABCD, 77, [1, 2, 3], [4, 5, 6]),
        ];
        foreach (var message in messages)
        {
            var bytes = RingCodec.Encode(message, Key);
            yield return (message.Header.Kind.ToString().ToLowerInvariant(), signed ? bytes[..^RingCodec.MacLength] : bytes);
        }
    }
}
