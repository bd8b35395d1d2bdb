using System.Text.RegularExpressions;

namespace IronLb.Kubernetes.Tests.Architecture;

/// <summary>
/// Kubernetes is reached through IronLb.Kubernetes only (DESIGN.md): outside it and KubeSim, no source file
/// spells an API path, literal or interpolated. A new call names a kind and an object through the typed client.
/// </summary>
public sealed partial class RawApiPathTests
{
    // Inside a string literal (plain, verbatim or interpolated): "api/" or "apis/" right after the opening
    // quote or after a slash.
    [GeneratedRegex("\"[^\"\\n]*?(?:(?<=\")|/)apis?/")]
    private static partial Regex RawPath();

    [Theory]
    [InlineData("var json = await _connection.GetAsync($\"api/v1/namespaces/{ns}/pods/{pod}\", ct);")]
    [InlineData("await connection.PatchAsync($\"/api/v1/nodes/{node}/status\", body, type, ct);")]
    [InlineData("var list = await connection.GetAsync(\"/api/v1/services\", ct);")]
    [InlineData("var path = group.Length == 0 ? $\"/api/{version}\" : $\"/apis/{group}/{version}\";")]
    [InlineData("await c.GetAsync($\"/apis/metallb.io/v1beta1/namespaces/{ns}/servicel2statuses\", ct);")]
    [InlineData("var url = $\"{server}/apis/discovery.k8s.io/v1/endpointslices\";")]
    [InlineData("const string Pools = @\"apis/metallb.io/v1beta1/ipaddresspools\";")]
    public void The_pattern_finds_api_paths(string line) => Assert.Matches(RawPath(), line);

    [Theory]
    [InlineData("var apiVersion = \"metallb.io/v1beta1\";")]
    [InlineData("// Builds the api/v1 path from ApiResource, never by hand.")]
    [InlineData("var services = new ResourceClient<V1Service>(connection, ResourceTypes.Services);")]
    [InlineData("Log(\"the apiserver is up\");")]
    [InlineData("var file = \"capis/readme\";")]
    public void The_pattern_leaves_other_text_alone(string line) => Assert.DoesNotMatch(RawPath(), line);

    [Fact]
    public void No_source_file_outside_IronLb_Kubernetes_and_KubeSim_spells_an_API_path()
    {
        var src = Path.Combine(Repository.Root, "src");
        var allowed = new[] { "IronLb.Kubernetes", "IronLb.KubeSim" }.Select(p => Path.Combine(src, p) + Path.DirectorySeparatorChar).ToList();
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !allowed.Any(a => f.StartsWith(a, StringComparison.Ordinal)))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);

        var found = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Repository.Root, f), Line: i + 1, Text: line.Trim())))
            .Where(l => RawPath().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();

        Assert.True(found.Count == 0, "raw API paths outside IronLb.Kubernetes (use ResourceClient or DynamicClient):\n" + string.Join('\n', found));
    }
}
