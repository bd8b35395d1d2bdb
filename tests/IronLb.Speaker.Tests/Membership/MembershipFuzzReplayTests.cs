using IronLb.Fuzz.Exercises;
using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// The membership v1 decoder on the fuzzer's kept corpora (fuzz/corpus/membership-v1 as received, and
/// membership-v1-signed behind a valid MAC), random bytes and mutations: an outcome, never an exception, and an
/// accepted datagram encodes back to the same fields (<see cref="MembershipV1Exercise"/>).
/// </summary>
public sealed class MembershipFuzzReplayTests : MembershipFuzzReplay
{
    protected override string Corpus => "membership-v1";

    protected override void Decode(byte[] input, bool sign) => MembershipV1Exercise.Run(input, sign);

    [Fact]
    public void A_name_that_is_not_utf8_is_malformed_not_replaced()
    {
        var key = FuzzMembershipKey.Key;
        var bytes = MembershipCodec.Encode(new MembershipMessage(MessageKind.Heartbeat, "ab", 1, 1, 0, 0, []), key);
        bytes[MembershipCodec.HeaderLength + 1] = 0xFF; // "?b": 0xFF never occurs in UTF-8
        key.Sign(bytes.AsSpan(0, bytes.Length - MembershipKey.MacLength), bytes.AsSpan(bytes.Length - MembershipKey.MacLength));

        Assert.Equal(ReceiveOutcome.Malformed, MembershipCodec.TryDecode(bytes, key, out var message));
        Assert.Null(message);
    }
}
