using System.Text;
using CsCheck;
using IronLb.Fuzz.Exercises;

namespace IronLb.Networking.Tests.Packets;

/// <summary>
/// The fuzzer's kept corpora (fuzz/corpus/arp, ndp, ndp-advert, sysfs) replayed through the responders and the sysfs parser,
/// and mutations of them: no exception, and a reply only with DropReason.None.
/// </summary>
public sealed class PacketFuzzReplayTests
{
    [Theory]
    [InlineData("arp")]
    [InlineData("ndp")]
    [InlineData("ndp-advert")]
    [InlineData("sysfs")]
    public void Every_kept_fuzz_input_is_answered_without_throwing(string target)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Run(target, bytes);
        }
    }

    [Theory]
    [InlineData("arp")]
    [InlineData("ndp")]
    [InlineData("ndp-advert")]
    [InlineData("sysfs")]
    public void Mutated_corpus_inputs_are_answered_without_throwing(string target)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Gen.ULong.Sample(seed => Run(target, FuzzCorpus.Mutate(inputs, seed)), iter: 2_000);
    }

    [Fact]
    public void Random_sysfs_text_parses_or_refuses() =>
        Gen.Char["0123456789abcdefxX:- \n\t+"].Array[0, 120].Sample(chars => Run("sysfs", Encoding.UTF8.GetBytes(chars)), iter: 2_000);

    /// <summary>The fuzz target's own exercise, table and interface MAC included.</summary>
    private static void Run(string target, byte[] bytes)
    {
        switch (target)
        {
            case "arp":
                NetworkingExercises.Arp(bytes);
                break;
            case "ndp":
                NetworkingExercises.Ndp(bytes);
                break;
            case "ndp-advert":
                NetworkingExercises.Advertisement(bytes);
                break;
            default:
                NetworkingExercises.Sysfs(bytes);
                break;
        }
    }
}
