using IronLb.Speaker.Membership;

namespace IronLb.Fuzz.Targets;

/// <summary>
/// The membership v1 decoder on one datagram. Unsigned: the bytes as they arrive, so almost everything stops
/// at the MAC (what a flood costs). Signed: the input is the signed part and the target appends a valid MAC, so
/// the fuzzer reaches the field parsing behind it. An accepted message must encode back to the same bytes.
/// </summary>
internal sealed class MembershipV1Target(bool signed) : FuzzTarget
{
    // A property, not a field: instrumented code must not run before SharpFuzz starts (a static field would
    // be initialised when the target list is built).
    private static MembershipKey Key => KeyHolder.Key;

    public override string Name => signed ? "membership-v1-signed" : "membership-v1";

    public override string Description => signed ? "MembershipCodec.TryDecode behind a valid MAC" : "MembershipCodec.TryDecode on raw datagrams";

    public override IReadOnlyList<string> Instrument => ["IronLb.Speaker.dll"];

    public override void Run(ReadOnlySpan<byte> input)
    {
        byte[] datagram;
        if (signed)
        {
            datagram = new byte[input.Length + MembershipKey.MacLength];
            input.CopyTo(datagram);
            Key.Sign(input, datagram.AsSpan(input.Length));
        }
        else
        {
            datagram = input.ToArray();
        }

        var outcome = MembershipCodec.TryDecode(datagram, Key, out var message);
        if ((outcome == ReceiveOutcome.Accepted) != (message is not null))
        {
            throw new ContractViolationException($"outcome {outcome} with message {(message is null ? "null" : "set")}");
        }

        // The reserved bytes (6 and 7) are ignored on receipt and written as zero, so they are left out.
        if (message is not null && !SameExceptReserved(MembershipCodec.Encode(message, Key), datagram))
        {
            throw new ContractViolationException("an accepted datagram does not encode back to the same bytes");
        }
    }

    internal static bool SameExceptReserved(byte[] encoded, byte[] received) =>
        encoded.Length == received.Length
        && encoded.AsSpan(0, 6).SequenceEqual(received.AsSpan(0, 6))
        && encoded.AsSpan(8, encoded.Length - 8 - MembershipKey.MacLength).SequenceEqual(received.AsSpan(8, received.Length - 8 - MembershipKey.MacLength));

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

internal static class KeyHolder
{
    public static readonly MembershipKey Key = MembershipKey.Create([.. "ironlb-fuzz-membership-key"u8], insecure: false);
}
