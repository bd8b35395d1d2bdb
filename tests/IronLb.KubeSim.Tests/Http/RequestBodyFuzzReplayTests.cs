using System.Text;
using System.Text.Json;
using CsCheck;
using IronLb.Fuzz.Exercises;
using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Tests.Http;

/// <summary>
/// KubeSim's request bodies are total: JSON, YAML and protobuf bodies, and the patches built from them, either
/// work or are refused with <see cref="ApiException"/> / <see cref="JsonException"/> (a 4xx Status), never a 500.
/// The first byte of a fuzz input picks the media type, the second what the body is for: the fuzz target's own
/// <see cref="KubeSimBodyExercise"/> (fuzz/ kubesim-body).
/// </summary>
public sealed class RequestBodyFuzzReplayTests
{
    public sealed record Row(string Desc, string Media, byte[] Body, int Code)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<Row> Rows { get; } =
    [
        // Each of these was a 500 "internal error" (or a dead process) before.
        new Row("YAML with a complex key", "application/yaml", "? [a]\n: b\n"u8.ToArray(), 400),
        new Row("YAML that does not scan", "application/yaml", "a: [1, 2\n"u8.ToArray(), 400),
        new Row("YAML with an unknown alias", "application/yaml", "a: *nope\n"u8.ToArray(), 400),
        new Row("YAML nested 100,000 deep", "application/yaml", Encoding.UTF8.GetBytes(new string('[', 100_000)), 400),
        new Row("a YAML alias bomb", "application/yaml", Encoding.UTF8.GetBytes("a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 12).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n"))), 400),
        new Row("YAML with a NUL inside a plain scalar", "application/yaml", [.. "SSd:\n \uFFFD"u8, 0, .. "[x\n"u8], 400),
        new Row("YAML with a flow mapping left open", "application/yaml", "a: {c\nd: e\n"u8.ToArray(), 400),
        new Row("YAML with a tag that is no URI (was ArgumentException; found by CsCheck on the fuzz corpus)", "application/yaml", "!!!!!!]/D"u8.ToArray(), 400),
        new Row("protobuf with a length past the end (was ArgumentOutOfRangeException)", "application/vnd.kubernetes.protobuf", [0x6B, 0x38, 0x73, 0x00, 0x32, 0x3A, 0x17, 0x05, 0x3A, 0x0D, 0x00, 0x00, 0x00, 0x40, 0xFF, 0xF7, 0xF7, 0xF7, 0xF7, 0x0D, 0x3A, 0x27, 0x1E, 0x23, 0xD7, 0x0D, 0x3A, 0x0D, 0x3A], 400),
        new Row("a JSON patch with a key twice", "application/json-patch+json", """[{"op":"add","path":"/a","path":"/b","value":1}]"""u8.ToArray(), 400),
        new Row("a JSON string that is not UTF-8", "application/json", [.. "{\"a\":\""u8, 0xC5, .. "dd\"}"u8], 400),
    ];

    [Fact]
    public void A_yaml_number_too_large_for_a_double_stays_a_string_that_json_can_write()
    {
        // 1e999 became Infinity, which JSON cannot write: the object's next read was a 500.
        var body = RequestBody.Decode("application/yaml", "a: 1e999\nb: 2.5\n"u8);

        Assert.Equal("{\"a\":\"1e999\",\"b\":2.5}", body!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_body_that_cannot_be_read_is_a_4xx_status(Row row)
    {
        var e = Assert.Throws<ApiException>(() => RequestBody.Decode(row.Media, row.Body));
        Assert.Equal(row.Code, e.Code);
    }

    [Fact]
    public void Every_kept_fuzz_input_is_decoded_or_refused()
    {
        var inputs = FuzzCorpus.Inputs("kubesim-body");
        Assert.NotEmpty(inputs);
        foreach (var (_, bytes) in inputs)
        {
            Run(bytes);
        }
    }

    [Fact]
    public void Mutated_corpus_inputs_are_decoded_or_refused()
    {
        var inputs = FuzzCorpus.Inputs("kubesim-body");
        Gen.ULong.Sample(seed => Run(FuzzCorpus.Mutate(inputs, seed)), iter: 500);
    }

    [Fact]
    public void Random_bytes_are_decoded_or_refused() =>
        Gen.Byte.Array[0, 200].Sample(Run, iter: 1_000);

    private static void Run(byte[] input) => KubeSimBodyExercise.Run(input);
}
