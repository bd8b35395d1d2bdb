using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Topology;

public sealed class LabNamesTests
{
    [Theory]
    [InlineData("demo")]
    [InlineData("a")]
    [InlineData("e2e0a1b2c3")]
    public void Accepts_short_lower_case_names(string name) =>
        Assert.NotNull(LabNames.TryCreate(name, out _));

    [Theory]
    [InlineData("")]
    [InlineData("Demo")]
    [InlineData("my-lab")]
    [InlineData("lab_1")]
    [InlineData("elevenchars")]
    [InlineData("../etc")]
    public void Rejects_names_that_could_not_make_short_unique_interface_names(string name)
    {
        Assert.Null(LabNames.TryCreate(name, out var problem));
        Assert.Contains(name, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_interface_name_fits_IFNAMSIZ_for_the_longest_lab_name_and_the_most_nodes()
    {
        var plan = LabPlan.Create(LabNames.Create("abcdefghij"), [.. Enumerable.Range(1, LabPlan.MaxNodes).Select(k => $"cwn{k}")], LabPlan.DefaultManagementSubnets[0]);
        var names = new List<string> { plan.Names.HostLink, LabNames.HostPeer };
        names.AddRange(plan.Lans.Select(l => l.Bridge));
        names.AddRange(plan.Nodes.SelectMany(n => n.Interfaces).SelectMany(i => new[] { i.Name, i.BridgePort }));
        names.AddRange(plan.Clients.SelectMany(c => new[] { c.Interface.Name, c.Interface.BridgePort }));
        Assert.All(names, n => Assert.InRange(n.Length, 1, LabNames.MaxInterfaceName));

        // Everything on the lan namespace's side (bridges, ports, the host's peer) is unique there.
        var lanSide = plan.Lans.Select(l => l.Bridge).Append(LabNames.HostPeer)
            .Concat(plan.Nodes.SelectMany(n => n.Interfaces).Select(i => i.BridgePort))
            .Concat(plan.Clients.Select(c => c.Interface.BridgePort)).ToList();
        Assert.Equal(lanSide.Count, lanSide.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Two_labs_never_share_a_namespace_or_the_host_link_and_a_prefix_sweep_finds_only_its_own()
    {
        var a = LabPlan.Create(LabNames.Create("a"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0]);
        var ab = LabPlan.Create(LabNames.Create("ab"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[1]);
        Assert.Empty(a.Namespaces().Intersect(ab.Namespaces()));
        Assert.NotEqual(a.Names.HostLink, ab.Names.HostLink);
        Assert.All(a.Namespaces(), ns => Assert.StartsWith(a.Names.NamespacePrefix, ns, StringComparison.Ordinal));
        Assert.DoesNotContain(ab.Namespaces(), ns => ns.StartsWith(a.Names.NamespacePrefix, StringComparison.Ordinal));
        Assert.Equal(a.Namespaces().Count(), a.Namespaces().Distinct().Count());
    }

    [Fact]
    public void Names_are_derived_from_the_lab_name_alone()
    {
        var names = LabNames.Create("demo");
        Assert.Equal("ilab-demo", names.HostLink);
        Assert.Equal("ilab-demo-lan", names.LanNamespace);
        Assert.Equal("ilab-demo-cwn1", names.NodeNamespace("cwn1"));
        Assert.Equal("ilab-demo-externalclient", names.ClientNamespace("external"));
        Assert.Equal("/run/ironlb-lab/demo", names.StateDirectory("/run/ironlb-lab"));
    }
}
