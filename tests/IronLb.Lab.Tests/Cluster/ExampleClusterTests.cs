using IronLb.Lab.Cluster;

namespace IronLb.Lab.Tests.Cluster;

public sealed class ExampleClusterTests
{
    private static readonly List<Manifest> Example = Manifest.Load(RepoPaths.ExampleLab);

    [Fact]
    public void Reads_every_object_of_the_example_lab()
    {
        Assert.Equal(["cwn1", "cwn2", "cwn3", "cwn4"], Example.Where(m => m.Kind == "Node").Select(m => m.Name));
        Assert.Equal(2, Example.Count(m => m.Kind == "IPAddressPool"));
        Assert.Equal(6, Example.Count(m => m.Kind == "Service"));
        Assert.All(Example.Where(m => m.Kind == "Service"), m => Assert.NotNull(m.Namespace));
    }

    [Fact]
    public void Four_nodes_are_the_examples_own_and_namespaces_come_first()
    {
        var cluster = ExampleCluster.Arrange(Example, 4);
        Assert.Equal(["cwn1", "cwn2", "cwn3", "cwn4"], cluster.NodeNames);
        var firstOther = cluster.Manifests.ToList().FindIndex(m => m.Kind != "Namespace");
        Assert.All(cluster.Manifests.Skip(firstOther), m => Assert.NotEqual("Namespace", m.Kind));
        Assert.Equal(Example.Count, cluster.Manifests.Count);
    }

    [Fact]
    public void Fewer_nodes_leave_the_other_node_objects_out()
    {
        var cluster = ExampleCluster.Arrange(Example, 2);
        Assert.Equal(["cwn1", "cwn2"], cluster.NodeNames);
        Assert.Equal(["cwn1", "cwn2"], cluster.Manifests.Where(m => m.Kind == "Node").Select(m => m.Name));
    }

    [Fact]
    public void More_nodes_than_the_example_has_are_added_as_cwnK()
    {
        var cluster = ExampleCluster.Arrange(Example, 6);
        Assert.Equal(["cwn1", "cwn2", "cwn3", "cwn4", "cwn5", "cwn6"], cluster.NodeNames);
        var added = cluster.Manifests.Single(m => m.Kind == "Node" && m.Name == "cwn6");
        Assert.Contains("kubernetes.io/hostname: cwn6", added.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_object_keeps_its_own_yaml_for_server_side_apply()
    {
        var pool = Example.Single(m => m.Kind == "IPAddressPool" && m.Name == "office");
        Assert.Equal(("metallb.io", "v1beta1", "metallb-system"), (pool.Group, pool.Version, pool.Namespace));
        Assert.Contains("198.51.100.128/25", pool.Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("L2Advertisement", pool.Yaml, StringComparison.Ordinal);
    }
}
