using IronLb.Lab.Cluster;

namespace IronLb.Lab.Tests.Cluster;

public sealed class PodPlacementTests
{
    private static readonly string[] Nodes = ["cwn1", "cwn2", "cwn3", "cwn4"];

    private static List<ExampleService> Example() =>
        [.. ExampleCluster.Arrange(Manifest.Load(RepoPaths.ExampleLab), 4).Manifests.Select(ExampleService.From).OfType<ExampleService>()];

    [Fact]
    public void Reads_the_example_services_with_smtpout_as_the_one_with_the_egress_label()
    {
        var services = Example();
        Assert.Equal(6, services.Count);
        Assert.All(services, s => Assert.True(s.LoadBalancer && s.HasSelector, s.ToString()));
        Assert.Equal(["mail/smtpout"], services.Where(s => s.Egress).Select(s => s.ToString()));
        Assert.Equal("192.0.2.193", services.Single(s => s.Name == "smtpout").FirstAddress);
    }

    [Fact]
    public void The_example_gets_one_pod_per_service_and_two_for_smtpout_on_its_announcer_and_its_successor()
    {
        var pods = PodPlacement.Place(Example(), Nodes);
        Assert.Equal(7, pods.Length);
        var smtpout = pods.Where(p => p.Service == "smtpout").ToList();
        Assert.Equal(["smtpout-0", "smtpout-1"], smtpout.Select(p => p.Name));
        Assert.Equal(Election("192.0.2.193").Take(2), smtpout.Select(p => p.Node));
        Assert.Equal(Election("192.0.2.192")[0], pods.Single(p => p.Service == "smtpin").Node);
        Assert.All(pods, p => Assert.Equal($"{p.Service}-{(p.Name.EndsWith("-1", StringComparison.Ordinal) ? 1 : 0)}", p.Name));
    }

    /// <summary>Deterministic rows: what a Service is, the pods it gets.</summary>
    [Theory]
    [InlineData(true, true, false, 4, "a/s-0@{0}")]
    [InlineData(true, true, true, 4, "a/s-0@{0} a/s-1@{1}")]
    [InlineData(true, true, true, 1, "a/s-0@{0}")]
    [InlineData(true, false, true, 4, "")]
    [InlineData(false, true, true, 4, "")]
    public void Rows(bool loadBalancer, bool selector, bool egress, int nodes, string expected)
    {
        var names = Nodes.Take(nodes).ToList();
        var order = names.OrderBy(n => Convert.ToHexString(IronLb.Core.Announcement.L2Election.Hash(n, "192.0.2.9")), StringComparer.Ordinal).ToArray();
        var pods = PodPlacement.Place([new ExampleService("a", "s", loadBalancer, selector, egress, "192.0.2.9")], names);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, order), string.Join(' ', pods.Select(p => $"{p.Namespace}/{p.Name}@{p.Node}")));
    }

    [Fact]
    public void A_full_node_is_skipped_and_services_without_room_get_no_pods()
    {
        var services = Enumerable.Range(0, 8).Select(i => new ExampleService("a", $"s{i}", true, true, false, null)).ToList();
        var pods = PodPlacement.Place(services, ["cwn1"]);
        Assert.Equal(5, pods.Length);
        Assert.All(pods, p => Assert.Equal("cwn1", p.Node));
        Assert.Equal(pods, PodPlacement.Place(services, ["cwn1"]));
    }

    [Fact]
    public void A_service_without_a_named_address_is_placed_by_its_name()
    {
        var pods = PodPlacement.Place([new ExampleService("a", "s", true, true, false, null)], Nodes);
        Assert.Equal(Election("a/s")[0], Assert.Single(pods).Node);
    }

    private static string[] Election(string key) =>
        [.. Nodes.OrderBy(n => Convert.ToHexString(IronLb.Core.Announcement.L2Election.Hash(n, key)), StringComparer.Ordinal)];
}
