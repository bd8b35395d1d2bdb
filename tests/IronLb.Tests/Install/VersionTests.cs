using System.Reflection;
using System.Text.RegularExpressions;
using IronLb.Cli;

namespace IronLb.Tests.Install;

/// <summary>
/// One version everywhere: what `ironlb --version` reports, the image tag deploy/ installs, the tags and package
/// versions the docs and the Flux example name, and the newest CHANGELOG entry all equal Directory.Build.props'
/// <c>&lt;Version&gt;</c>. Bumping it and forgetting one of them fails here, with the file and line.
/// </summary>
public sealed partial class VersionTests
{
    [Fact]
    public void Ironlb_reports_the_declared_version()
    {
        // System.CommandLine's --version prints the entry assembly's informational version; in-process the entry
        // assembly is the test host, so read ironlb's attribute directly (ToolPackageTests runs the real --version).
        var informational = typeof(IronLbCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.NotNull(informational);
        Assert.Equal(ProductVersion.Declared, informational.Split('+')[0]);
    }

    [Fact]
    public void Deploy_installs_the_image_tagged_with_the_declared_version()
    {
        var kustomization = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "kustomization.yaml"));
        var tags = NewTag().Matches(kustomization).Select(m => m.Groups["value"].Value).ToList();
        Assert.Equal([ProductVersion.Declared], tags);
    }

    [Fact]
    public void Every_version_the_docs_deploy_and_examples_name_is_the_declared_one()
    {
        var drifted = VersionedFiles()
            .SelectMany(file => File.ReadLines(file).Select((text, index) => (file, line: index + 1, text)))
            .SelectMany(l => Mentions(l.text).Select(value => (l.file, l.line, value)))
            .Where(m => m.value != ProductVersion.Declared)
            .Select(m => $"{Path.GetRelativePath(RepoPaths.Root, m.file)}:{m.line}: {m.value}")
            .ToList();
        Assert.True(drifted.Count == 0, $"Directory.Build.props says {ProductVersion.Declared}, but:\n{string.Join('\n', drifted)}");
    }

    [Fact]
    public void Changelogs_newest_release_is_the_declared_version()
    {
        var releases = File.ReadLines(Path.Combine(RepoPaths.Root, "CHANGELOG.md"))
            .Select(l => ReleaseHeading().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["value"].Value)
            .ToList();
        Assert.NotEmpty(releases);
        Assert.Equal(ProductVersion.Declared, releases[0]);
    }

    /// <summary>The finder itself: each way a version is written is found, and text that only looks like one is not.</summary>
    [Theory]
    [InlineData("docker build -f deploy/Dockerfile -t registry.example.org/ironlb:0.2.0 .", "0.2.0")]
    [InlineData("    newTag: \"0.2.0\"", "0.2.0")]
    [InlineData("    newTag: dev", "dev")]
    [InlineData("      tag: v0.2.0", "0.2.0")]
    [InlineData("dotnet tool install --global IronLb --version 0.2.0 --add-source ./artifacts", "0.2.0")]
    [InlineData("ls artifacts/IronLb.0.2.0.nupkg", "0.2.0")]
    [InlineData("docker build -t ironlb:dev .", "dev")]
    [InlineData("kubectl get ipaddresspools -n metallb-system", null)]
    [InlineData("metallb chart version: 0.15.2", null)]
    public void Mentions_finds_every_way_a_version_is_written(string line, string? expected)
    {
        Assert.Equal(expected is null ? [] : [expected], Mentions(line));
    }

    private static IEnumerable<string> VersionedFiles()
    {
        var root = RepoPaths.Root;
        var docs = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md");
        var flux = Directory.EnumerateFiles(Path.Combine(root, "examples", "flux"), "*.yaml", SearchOption.AllDirectories);
        string[] single = ["README.md", "deploy/Dockerfile", "deploy/kustomization.yaml"];
        return single.Select(f => Path.Combine(root, f)).Concat(docs).Concat(flux);
    }

    private static IEnumerable<string> Mentions(string line) =>
        new[] { ImageReference(), NewTag(), GitTag(), ToolVersion(), PackageFile() }
            .SelectMany(pattern => pattern.Matches(line))
            .Select(m => m.Groups["value"].Value);

    // An image reference: ironlb:TAG, with or without a registry in front.
    [GeneratedRegex(@"\bironlb:(?<value>[A-Za-z0-9_][A-Za-z0-9_.+-]*)")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"\bnewTag:\s*""?(?<value>[^""\s]+)""?")]
    private static partial Regex NewTag();

    // A Git tag of IronLB's repository, as a Flux GitRepository's ref names it.
    [GeneratedRegex(@"^\s*tag:\s*""?v(?<value>[0-9][^""\s]*)""?")]
    private static partial Regex GitTag();

    [GeneratedRegex(@"\bIronLb\b.*--version\s+(?<value>[0-9][^\s]*)")]
    private static partial Regex ToolVersion();

    [GeneratedRegex(@"\bIronLb\.(?<value>[0-9]+\.[0-9]+\.[0-9]+[^\s/]*)\.nupkg\b")]
    private static partial Regex PackageFile();

    [GeneratedRegex(@"^## \[(?<value>[0-9][^\]]*)\]")]
    private static partial Regex ReleaseHeading();
}
