using IronLb.Fuzz.Exercises;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// The membership v2 decoder on the fuzzer's kept corpora (fuzz/corpus/membership-v2 as received, and
/// membership-v2-signed behind a valid truncated MAC), random bytes and mutations: an outcome, never an exception, and
/// an accepted datagram encodes back to exactly the same bytes (<see cref="MembershipV2Exercise"/>).
/// </summary>
public sealed class RingFuzzReplayTests : MembershipFuzzReplay
{
    protected override string Corpus => "membership-v2";

    protected override void Decode(byte[] input, bool sign) => MembershipV2Exercise.Run(input, sign);

    [Fact]
    public void The_signed_corpus_reaches_every_kind_behind_the_mac()
    {
        var kinds = FuzzCorpus.Inputs(Target(sign: true))
            .Select(input => RingCodec.TryDecode(MembershipV2Exercise.Sign(input.Bytes), FuzzMembershipKey.Key, out var message) == RingReceiveOutcome.Accepted ? message!.Header.Kind : (RingMessageKind?)null)
            .OfType<RingMessageKind>()
            .ToHashSet();

        Assert.Equal(Enum.GetValues<RingMessageKind>().ToHashSet(), kinds);
    }
}
