using System.Text;

namespace IronLb.Manifests.Tests;

/// <summary>
/// Inputs that once escaped the reader (a crash found by fuzzing, or by trying malformed files as a new user
/// would) and what it answers now: a fatal error naming the file and line, or an error on the document.
/// </summary>
public sealed class ManifestTotalParserTests
{
    public sealed record Row(string Desc, string File, byte[] Bytes, bool Fatal, string Message)
    {
        public override string ToString() => Desc;
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    public static TheoryData<Row> Rows { get; } =
    [
        // 100,000 '[' overflowed the stack inside the YAML loader's recursion: the process died.
        new Row("YAML nested 100,000 deep", "deep.yaml", Text(Repeat("[", 100_000) + Repeat("]", 100_000)), true, "deep.yaml:1: invalid YAML: nested deeper than 100 levels"),
        new Row("YAML mappings nested 5,000 deep", "deep.yaml", Text("apiVersion: v1\nkind: Node\nmetadata:\n  labels: " + Repeat("{a: ", 5000) + "1" + Repeat("}", 5000) + "\n"), true, "deep.yaml:4: invalid YAML: nested deeper than 100 levels"),
        new Row("YAML block sequences nested deeper than the limit", "deep.yaml", Text(string.Concat(Enumerable.Range(0, 120).Select(i => new string(' ', i * 2) + "-\n")) + new string(' ', 240) + "x\n"), true, "invalid YAML: nested deeper than 100 levels"),
        new Row("YAML nested exactly to the limit is read", "ok.yaml", Text(Repeat("[", 100) + Repeat("]", 100)), false, "expected a Kubernetes object"),
        new Row("JSON nested 100,000 deep", "deep.json", Text(Repeat("[", 100_000) + Repeat("]", 100_000)), true, "deep.json:1: invalid JSON: The maximum configured depth of 100 has been exceeded"),
        new Row("a billion-laughs alias bomb is read without expanding", "bomb.yaml", Text(AliasBomb()), false, "expected a Kubernetes object"),
        new Row("a binary file", "bin.yaml", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0xFF, 0xFE, 0, 0], true, "bin.yaml: the file is not UTF-8 text"),
        // A string that is not UTF-8 threw InvalidOperationException when read (found by fuzz/ manifest-json).
        new Row("a JSON string that is not UTF-8", "bad.json", [.. Text("{\"apiVersion\":\"v1\",\"kind\":\"n"), 0xB3, 0xB3, .. Text("\"}")], true, "bad.json: the file is not UTF-8 text"),
        new Row("a JSON array at the top level", "list.json", Text("[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"}}]"), false, "list.json:1: document 1: expected a Kubernetes object (a mapping with apiVersion and kind), got a list"),
        new Row("truncated YAML", "cut.yaml", Text("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {x: [1, 2\n"), true, "cut.yaml:6: invalid YAML"),
        new Row("truncated JSON", "cut.json", Text("{\"apiVersion\": \"v1\", \"kind\": \"Nod"), true, "cut.json:1: invalid JSON"),
        // An octal port too long for a long threw OverflowException: `ironlb plan` printed "internal error".
        new Row("an octal integer that overflows", "oct.yaml", Text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer, ports: [{port: 0o77777777777777777777777}]}\n"), false, "oct.yaml:4: Service default/web: spec.ports[0].port: expected an integer"),
        // YamlDotNet reads NUL as end of input and threw InvalidOperationException: `ironlb plan` printed
        // "internal error (InvalidOperationException)" without the file (issue #14 finding 8; found by fuzz/ kubesim-body).
        new Row("a NUL character inside a plain scalar", "nul.yaml", [.. Text("SSd:\n \uFFFD"), 0, .. Text("[\uFFFD\uFFFD\uFFFDSSSS"), 0, 0, .. Text("1\nXind:\n  ")], true, "nul.yaml:2: invalid YAML: the file contains a NUL character"),
        // YamlDotNet threw InvalidOperationException on a flow mapping left open across lines (found by fuzz/ manifest-yaml).
        new Row("a flow mapping left open", "open.yaml", Text("apiVersion: v1\nkind: Service\nmetadata:\n  name: {web\n  namespace: mail\n"), true, "open.yaml:4: invalid YAML: cannot read past this line; is a { or [ left without its closing } or ]?"),
        new Row("a flow mapping left open at the top", "open.yaml", Text("a: {c\nd: e\n"), true, "open.yaml:1: invalid YAML"),
        // YamlDotNet threw ArgumentException on a tag that expands to no URI (found by CsCheck on fuzz/ kubesim-body).
        new Row("a tag that is no URI", "tag.yaml", Text("apiVersion: v1\nkind: !!!!!!]/D\n"), true, "tag.yaml:2: invalid YAML: a tag that is no URI"),
        new Row("tab indentation", "tabs.yaml", Text("apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n"), true, "tabs.yaml:4: invalid YAML"),
    ];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Malformed_input_gets_an_answer_naming_the_file(Row row)
    {
        var result = ManifestReader.ReadBytes(row.File, row.Bytes);
        var errors = row.Fatal ? result.FatalErrors : result.Errors;
        var all = string.Join('\n', result.FatalErrors.Concat(result.Errors));
        Assert.True(errors.Any(e => e.ToString().Contains(row.Message, StringComparison.Ordinal)), $"expected \"{row.Message}\" in:\n{all}");
        Assert.All(result.FatalErrors.Concat(result.Errors), e => Assert.Equal(row.File, e.File));
    }

    [Fact]
    public void A_json_file_with_a_byte_order_mark_is_read()
    {
        var result = ManifestReader.ReadBytes("bom.json", [0xEF, 0xBB, 0xBF, .. Text("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}")]);
        Assert.Empty(result.FatalErrors);
        Assert.Empty(result.Errors);
        Assert.Equal("n1", Assert.Single(result.Resources.Nodes).Name);
    }

    [Theory]
    [InlineData("0o17", true, 15)]
    [InlineData("0o777777777777777777777", true, 0x7FFF_FFFF_FFFF_FFFF)]
    [InlineData("0o1777777777777777777777", false, 0)]
    [InlineData("0o", false, 0)]
    [InlineData("0x1F", true, 31)]
    public void Integers_in_every_yaml_form_parse_or_refuse_without_throwing(string text, bool ok, long value)
    {
        Assert.Equal(ok, YamlLoader.TryParseInteger(text, out var parsed));
        Assert.Equal(value, parsed);
    }

    /// <summary>Ten levels of nine aliases each: 9^10 leaves if anything expanded it.</summary>
    private static string AliasBomb()
    {
        var text = new StringBuilder("- &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= 10; i++)
        {
            text.Append($"- &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        return text.ToString();
    }
}
