using CsCheck;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// The membership v2 decoder on the fuzzer's kept corpora (fuzz/corpus/membership-v2 as received, and
/// membership-v2-signed behind a valid truncated MAC), random bytes and mutations: an outcome, never an exception, and
/// an accepted datagram encodes back to exactly the same bytes (the contract of fuzz/IronLb.Fuzz's MembershipV2Target).
/// </summary>
public sealed class RingFuzzReplayTests
{
    // The fuzz program's key, so its corpus inputs that carry a valid MAC still verify here.
    private static readonly MembershipKey Key = MembershipKey.Create([.. "ironlb-fuzz-membership-key"u8], insecure: false);

    [Theory]
    [InlineData("membership-v2", false)]
    [InlineData("membership-v2-signed", true)]
    public void Every_kept_fuzz_input_decodes_to_an_outcome(string target, bool sign)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Decode(bytes, sign);
        }
    }

    [Fact]
    public void The_signed_corpus_reaches_every_kind_behind_the_mac()
    {
        var kinds = FuzzCorpus.Inputs("membership-v2-signed")
            .Select(input => RingCodec.TryDecode(Sign(input.Bytes), Key, out var message) == RingReceiveOutcome.Accepted ? message!.Header.Kind : (RingMessageKind?)null)
            .OfType<RingMessageKind>()
            .ToHashSet();

        Assert.Equal(Enum.GetValues<RingMessageKind>().ToHashSet(), kinds);
    }

    [Theory]
    [InlineData("membership-v2", false)]
    [InlineData("membership-v2-signed", true)]
    public void Mutated_corpus_inputs_decode_to_an_outcome(string target, bool sign)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Gen.ULong.Sample(seed => Decode(FuzzCorpus.Mutate(inputs, seed), sign), iter: 2_000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_bytes_decode_to_an_outcome(bool sign) =>
        Gen.Byte.Array[0, 300].Sample(bytes => Decode(bytes, sign), iter: 2_000);

    private static byte[] Sign(byte[] input)
    {
        var datagram = new byte[input.Length + RingCodec.MacLength];
        input.CopyTo(datagram, 0);
        Key.SignTruncated(input, datagram.AsSpan(input.Length));
        return datagram;
    }

    private static void Decode(byte[] input, bool sign)
    {
        var datagram = sign ? Sign(input) : input;
        var outcome = RingCodec.TryDecode(datagram, Key, out var message);
        Assert.Equal(outcome == RingReceiveOutcome.Accepted, message is not null);
        if (message is not null)
        {
            Assert.Equal(datagram, RingCodec.Encode(message, Key));
        }
    }
}
