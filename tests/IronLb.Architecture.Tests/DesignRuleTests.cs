namespace IronLb.Architecture.Tests;

/// <summary>
/// The dependency rules of DESIGN.md, checked on the project files themselves rather than on the table, so
/// that a table edited to let an edge through still cannot break them.
/// </summary>
public sealed class DesignRuleTests
{
    private static readonly IReadOnlyDictionary<string, ProjectFile> Projects = ProjectFile.All();

    [Fact]
    public void Core_references_nothing_outside_the_BCL()
    {
        var core = Projects["IronLb.Core"];

        Assert.True(core.Projects.IsEmpty && core.Packages.IsEmpty && core.Frameworks.IsEmpty,
            $"IronLb.Core is pure and BCL only, but references {Describe(core)}.");
    }

    [Theory]
    [InlineData("IronLb.Networking", "pure wire code; it needs no domain types")]
    [InlineData("IronLb.KubeSim", "a stand-in API server that must not share our client's mistakes")]
    [InlineData("IronLb.Monitoring", "metrics, health and logs for any host")]
    [InlineData("IronLb.CommandLine", "flag conventions both executables share, no domain code")]
    [InlineData("IronLb.Bgp", "the BGP-4 wire codec; the speaker maps its routes onto it")]
    public void Leaf_projects_reference_nothing_of_ours(string name, string why)
    {
        var project = Projects[name];

        Assert.True(project.Projects.IsEmpty, $"{name} references nothing of ours ({why}), but references {string.Join(", ", project.Projects)}.");
    }

    [Fact]
    public void The_BGP_project_references_nothing_but_the_BCL_and_logging_abstractions()
    {
        // Issue 19: pure codecs and session machine like Core, so the fuzz target needs nothing else to run them;
        // the TCP driver (Peering/) logs through Logging.Abstractions, the one package allowed.
        var bgp = Projects["IronLb.Bgp"];

        Assert.True(bgp.Projects.IsEmpty && bgp.Packages.SequenceEqual(["Microsoft.Extensions.Logging.Abstractions"]) && bgp.Frameworks.IsEmpty,
            $"IronLb.Bgp is BCL plus Microsoft.Extensions.Logging.Abstractions only, but references {Describe(bgp)}.");
    }

    [Fact]
    public void The_controller_never_reaches_Networking()
    {
        Assert.DoesNotContain("IronLb.Networking", Graph.Reachable(Projects, "IronLb.Controller"));
    }

    [Fact]
    public void Nothing_in_the_ironlb_binary_uses_ASP_NET_Core()
    {
        // Issue #17: the speaker runs on every node in a few tens of MB; the framework alone cost megabytes of code,
        // type data and threads under NativeAOT. The endpoints are IronLb.Monitoring's own listener; KubeSim keeps it.
        var users = Graph.Reachable(Projects, "IronLb").Add("IronLb")
            .Where(name => Projects[name].Frameworks.Contains("Microsoft.AspNetCore.App", StringComparer.Ordinal));

        Assert.Empty(users);
    }

    [Fact]
    public void The_manifest_reader_needs_only_Core_and_a_YAML_parser()
    {
        var manifests = Projects["IronLb.Manifests"];

        // plan must run without a cluster client: the reader turns files into Core's inputs, nothing else.
        Assert.Equal(["IronLb.Core"], manifests.Projects);
        Assert.Equal(["YamlDotNet"], manifests.Packages);
    }

    private static string Describe(ProjectFile project) =>
        string.Join(", ", [.. project.Projects, .. project.Packages, .. project.Frameworks]);
}
