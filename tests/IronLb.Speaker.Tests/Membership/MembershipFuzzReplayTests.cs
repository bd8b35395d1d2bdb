using System.Text;
using CsCheck;
using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// The membership v1 decoder on the fuzzer's kept corpora (fuzz/corpus/membership-v1 as received, and
/// membership-v1-signed behind a valid MAC), random bytes and mutations: an outcome, never an exception, and an
/// accepted datagram encodes back to the same fields.
/// </summary>
public sealed class MembershipFuzzReplayTests
{
    // The fuzz program's key, so its corpus inputs that carry a valid MAC still verify here.
    private static readonly MembershipKey Key = MembershipKey.Create([.. "ironlb-fuzz-membership-key"u8], insecure: false);

    [Theory]
    [InlineData("membership-v1", false)]
    [InlineData("membership-v1-signed", true)]
    public void Every_kept_fuzz_input_decodes_to_an_outcome(string target, bool sign)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Decode(bytes, sign);
        }
    }

    [Theory]
    [InlineData("membership-v1", false)]
    [InlineData("membership-v1-signed", true)]
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

    [Fact]
    public void A_name_that_is_not_utf8_is_malformed_not_replaced()
    {
        var bytes = MembershipCodec.Encode(new MembershipMessage(MessageKind.Heartbeat, "ab", 1, 1, 0, 0, []), Key);
        bytes[MembershipCodec.HeaderLength + 1] = 0xFF; // "?b": 0xFF never occurs in UTF-8
        Key.Sign(bytes.AsSpan(0, bytes.Length - MembershipKey.MacLength), bytes.AsSpan(bytes.Length - MembershipKey.MacLength));

        Assert.Equal(ReceiveOutcome.Malformed, MembershipCodec.TryDecode(bytes, Key, out var message));
        Assert.Null(message);
    }

    private static void Decode(byte[] input, bool sign)
    {
        var datagram = input;
        if (sign)
        {
            datagram = new byte[input.Length + MembershipKey.MacLength];
            input.CopyTo(datagram, 0);
            Key.Sign(input, datagram.AsSpan(input.Length));
        }

        var outcome = MembershipCodec.TryDecode(datagram, Key, out var message);
        Assert.Equal(outcome == ReceiveOutcome.Accepted, message is not null);
        if (message is not null)
        {
            var again = MembershipCodec.Encode(message, Key);
            Assert.Equal(datagram.Length, again.Length);
            Assert.Equal(datagram[..6], again[..6]);
            Assert.Equal(datagram[8..^MembershipKey.MacLength], again[8..^MembershipKey.MacLength]);
            Assert.All(message.Hears.Append(message.Sender), n => Assert.Equal(n, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(n))));
        }
    }
}
