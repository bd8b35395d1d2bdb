using CsCheck;
using IronLb.Fuzz.Exercises;

namespace IronLb.Manifests.Tests;

/// <summary>
/// The manifest reader is total (issue #14): the fuzzer's kept corpus, random text and mutations of the corpus
/// are all read without an exception, and every error names the file it came from; what reads them is the fuzz
/// target's own <see cref="ManifestExercise"/>, so the planner runs after the reader here too.
/// </summary>
public sealed class ManifestFuzzReplayTests
{
    private const string YamlAlphabet = "{}[]:,-&*!|>'\"#%@?~ \n\t.0123456789abcxyz<";

    public static TheoryData<string, string> Targets { get; } = new() { { "manifest-yaml", "input.yaml" }, { "manifest-json", "input.json" } };

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_kept_fuzz_input_is_read_and_its_errors_name_the_file(string target, string file)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Assert.NotEmpty(inputs);
        var failures = inputs.Select(i => (i.Name, Problem: Problem(file, i.Bytes))).Where(f => f.Problem is not null).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures.Select(f => $"fuzz/corpus/{target}/{f.Name}: {f.Problem}")));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Mutated_corpus_inputs_are_read_without_throwing(string target, string file)
    {
        var inputs = FuzzCorpus.Inputs(target);
        Gen.ULong.Sample(seed => Assert.Null(Problem(file, FuzzCorpus.Mutate(inputs, seed))), iter: 300);
    }

    [Theory]
    [InlineData("input.yaml")]
    [InlineData("input.json")]
    public void Random_bytes_are_read_without_throwing(string file) =>
        Gen.Byte.Array[0, 200].Sample(bytes => Assert.Null(Problem(file, bytes)), iter: 300);

    [Fact]
    public void Random_yaml_punctuation_is_read_without_throwing() =>
        Gen.Char[YamlAlphabet].Array[0, 120].Sample(chars => Assert.Null(Problem("input.yaml", System.Text.Encoding.UTF8.GetBytes(chars))), iter: 500);

    /// <summary>Null when the reader (and the planner after it) answered properly; otherwise what went wrong.</summary>
    private static string? Problem(string file, byte[] bytes)
    {
        try
        {
            return ManifestExercise.Problem(file, bytes);
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
