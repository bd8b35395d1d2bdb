using IronLb.Fuzz.Exercises;
using IronLb.Speaker.Membership;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The membership v1 decoder on one datagram. Unsigned: the bytes as they arrive, so almost everything stops
/// at the MAC (what a flood costs). Signed: the input is the signed part and the target appends a valid MAC, so
/// the fuzzer reaches the field parsing behind it. An accepted message must encode back to the same bytes
/// (<see cref="MembershipV1Exercise"/>).
/// </summary>
internal sealed class MembershipV1Target(bool signed) : FuzzTarget
{
    // A property, not a field: instrumented code must not run before SharpFuzz starts (a static field would
    // be initialised when the target list is built).
    private static MembershipKey Key => FuzzMembershipKey.Key;

    public override string Name => signed ? "membership-v1-signed" : "membership-v1";

    public override string Description => signed ? "MembershipCodec.TryDecode behind a valid MAC" : "MembershipCodec.TryDecode on raw datagrams";

    public override IReadOnlyList<string> Instrument => ["IronLb.Speaker.dll"];

    public override void Run(ReadOnlySpan<byte> input) => MembershipV1Exercise.Run(input, signed);

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var heartbeat = new MembershipMessage(MessageKind.Heartbeat, "cwn1", 3, 17, 1_700_000_000_000, 5_000, ["cwn2", "cwn3"]);
        var goodbye = new MembershipMessage(MessageKind.Goodbye, "node-with-a-longer-name.example", 1, 1, 0, 0, []);
        foreach (var (name, message) in new[] { ("heartbeat", heartbeat), ("goodbye", goodbye) })
        {
            var bytes = MembershipCodec.Encode(message, Key);
            yield return (name, signed ? bytes[..^MembershipKey.MacLength] : bytes);
        }
    }
}
