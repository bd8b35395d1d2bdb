using CsCheck;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// The corpus replay both membership versions share: the fuzzer's kept corpus as received and behind a valid MAC
/// (fuzz/corpus/CORPUS and CORPUS-signed), mutations of it and random bytes, each through the fuzz target's own
/// exercise. An outcome, never an exception, and an accepted datagram that encodes back as its version requires.
/// </summary>
public abstract class MembershipFuzzReplay
{
    /// <summary>The unsigned corpus's name; the signed one is this with "-signed".</summary>
    protected abstract string Corpus { get; }

    /// <summary>The fuzz target's exercise: throws when the decoder broke its contract.</summary>
    protected abstract void Decode(byte[] input, bool sign);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_kept_fuzz_input_decodes_to_an_outcome(bool sign)
    {
        var inputs = FuzzCorpus.Inputs(Target(sign));
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Decode(bytes, sign);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mutated_corpus_inputs_decode_to_an_outcome(bool sign)
    {
        var inputs = FuzzCorpus.Inputs(Target(sign));
        Gen.ULong.Sample(seed => Decode(FuzzCorpus.Mutate(inputs, seed), sign), iter: 2_000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_bytes_decode_to_an_outcome(bool sign) =>
        Gen.Byte.Array[0, 300].Sample(bytes => Decode(bytes, sign), iter: 2_000);

    protected string Target(bool sign) => sign ? Corpus + "-signed" : Corpus;
}
