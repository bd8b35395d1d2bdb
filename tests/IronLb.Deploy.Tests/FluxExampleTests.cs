using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronLb.Deploy.Tests;

/// <summary>
/// examples/flux, the Flux objects docs/migrating-from-metallb.md shows in place of MetalLB's HelmRelease: created
/// with the real kubectl in KubeSim, which validates custom resources against the schemas of Flux's own CRDs
/// (types, required fields, enums, minimum/maximum) and prunes fields they do not declare. KubeSim does not check
/// patterns (Flux's durations have one), string lengths, formats or CEL rules, and ignores kubectl's strict field
/// validation; the read-back catches what it prunes.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class FluxExampleTests
{
    private static readonly string Example = Path.Combine(
        RepoPaths.Root, "examples", "flux", "clusters", "main", "infrastructure", "essentials", "ironlb.yaml");

    [Fact]
    public async Task Example_is_valid_against_fluxs_crds_and_stored_as_written()
    {
        var problems = await ProblemsAsync(await File.ReadAllTextAsync(Example, TestContext.Current.CancellationToken));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>The check above can fail: each way of breaking the example is caught, by the schema or by the read-back.</summary>
    [Theory]
    [InlineData("  prune: true\n", "", "spec.prune: Required value")]
    [InlineData("    kind: GitRepository\n    name: ironlb", "    kind: HelmRepository\n    name: ironlb", "Unsupported value: \"HelmRepository\"")]
    [InlineData("  wait: true", "  waitFor: true", "spec.waitFor: dropped")]
    [InlineData("  timeout: 5m", "  timeout: 5", "must be of type string")]
    public async Task A_broken_example_is_refused(string find, string replace, string expected)
    {
        var text = await File.ReadAllTextAsync(Example, TestContext.Current.CancellationToken);
        Assert.True(text.Split(find).Length == 2, $"the example must contain `{find}` exactly once");

        var problems = await ProblemsAsync(text.Replace(find, replace, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kustomization_applies_deploy_from_the_git_repository_beside_it()
    {
        var objects = Rendered.Parse(await File.ReadAllTextAsync(Example, TestContext.Current.CancellationToken));
        var source = Assert.Single(objects, o => o.Kind == "GitRepository");
        var kustomization = Assert.Single(objects, o => o.Kind == "Kustomization");

        Assert.Equal("GitRepository", Rendered.Scalar(kustomization.Node, "spec", "sourceRef", "kind"));
        Assert.Equal(source.Name, Rendered.Scalar(kustomization.Node, "spec", "sourceRef", "name"));
        Assert.Equal(source.Namespace, Rendered.Scalar(kustomization.Node, "spec", "sourceRef", "namespace") ?? kustomization.Namespace);

        // The path is deploy/ of this repository, and the source's ignore rules keep it.
        var path = Rendered.Scalar(kustomization.Node, "spec", "path")!;
        Assert.Equal(RepoPaths.Deploy, Path.GetFullPath(Path.Combine(RepoPaths.Root, path)));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Deploy, "kustomization.yaml")));
        Assert.Contains("!/deploy/", Rendered.Scalar(source.Node, "spec", "ignore")!.Split('\n'));

        // Flux replaces an image entry of deploy/kustomization.yaml by name, so each name must be one deploy/ uses.
        var deployImages = Rendered.Seq(Rendered.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Deploy, "kustomization.yaml"), TestContext.Current.CancellationToken))[0].Node, "images")
            .Select(i => Rendered.Scalar(i, "name"))
            .ToList();
        var images = Rendered.Seq(kustomization.Node, "spec", "images");
        Assert.NotEmpty(images);
        Assert.All(images, i => Assert.Contains(Rendered.Scalar(i, "name"), deployImages));
    }

    [Fact]
    public async Task Migration_guide_shows_the_example_as_it_is()
    {
        // The guide shows the file inside a numbered step, so every line is indented by three spaces.
        var example = await File.ReadAllLinesAsync(Example, TestContext.Current.CancellationToken);
        var shown = string.Join('\n', example.Select(l => l.Length == 0 ? l : "   " + l).Prepend("   ```yaml").Append("   ```"));
        var guide = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "migrating-from-metallb.md"), TestContext.Current.CancellationToken))
            .ReplaceLineEndings("\n");
        Assert.True(guide.Contains(shown, StringComparison.Ordinal), $"docs/migrating-from-metallb.md must show {Example} as it is, as:\n{shown}");
    }

    /// <summary>
    /// Creates the objects in a fresh KubeSim holding Flux's CRDs, then reads each back. The problems are kubectl's
    /// refusal, or every field the server dropped or changed; none means Flux's schemas accept the objects as written.
    /// </summary>
    private static async Task<List<string>> ProblemsAsync(string yaml)
    {
        var crds = FluxCrds.Require();
        Requirements.Kubectl();
        await using var api = await KubeSim.KubeSim.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var kubectl = new Kubectl(api.Kubeconfig);
        await kubectl.OkAsync(["apply", .. crds.SelectMany(f => new[] { "-f", f })]);
        await kubectl.OkAsync("create", "namespace", "flux-system");

        var created = await kubectl.RunAsync(["create", "-f", "-"], yaml);
        if (created.ExitCode != 0)
        {
            return [created.Stderr.Trim()];
        }

        var written = JsonValues(await kubectl.OkWithInputAsync(yaml, "create", "--dry-run=client", "-o", "json", "-f", "-"));
        var problems = new List<string>();
        foreach (var item in written)
        {
            var kind = item["kind"]!.GetValue<string>();
            var group = item["apiVersion"]!.GetValue<string>().Split('/')[0];
            var name = item["metadata"]!["name"]!.GetValue<string>();
            var ns = item["metadata"]!["namespace"]!.GetValue<string>();
            var stored = JsonNode.Parse(await kubectl.OkAsync("get", $"{kind}.{group}", name, "-n", ns, "-o", "json"))!;
            problems.AddRange(JsonSubset.Differences(item["spec"], stored["spec"], "spec").Select(d => $"{kind} {ns}/{name}: {d}"));
        }

        return problems;
    }

    /// <summary>kubectl's <c>-o json</c> of several objects: one JSON object after another, not a list.</summary>
    private static List<JsonNode> JsonValues(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        var values = new List<JsonNode>();
        while (reader.Read())
        {
            values.Add(JsonNode.Parse(ref reader)!);
        }

        return values;
    }
}
