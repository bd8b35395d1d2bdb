using CsCheck;
using IronLb.Fuzz.Exercises;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>
/// The fuzzer's kept corpus (fuzz/corpus/bgp) replayed through the fuzz target's own exercise, and mutations of it:
/// no exception, every frame's outcome consistent, every accepted message round-trips.
/// </summary>
public sealed class BgpFuzzReplayTests
{
    [Fact]
    public void Every_kept_fuzz_input_passes_the_exercise()
    {
        var inputs = FuzzCorpus.Inputs("bgp");
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            BgpExercise.Run(bytes);
        }
    }

    [Fact]
    public void Mutated_corpus_inputs_pass_the_exercise()
    {
        var inputs = FuzzCorpus.Inputs("bgp");
        Gen.ULong.Sample(seed => BgpExercise.Run(FuzzCorpus.Mutate(inputs, seed)), iter: 3_000);
    }
}
