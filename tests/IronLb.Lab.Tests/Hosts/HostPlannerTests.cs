using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Hosts;

/// <summary>What `host add` would make, and every reason it refuses, without touching the machine.</summary>
public sealed class HostPlannerTests
{
    private static readonly LabPlan Plan = LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0]);

    [Fact]
    public void A_host_gets_its_namespace_a_bridge_port_a_fixed_mac_and_its_lans_prefix_lengths()
    {
        var host = HostPlanner.Plan(Plan, [], "rogue", "external", ["192.0.2.190", "2001:db8:3a::190"], out var problem);

        Assert.Null(problem);
        Assert.Equal(new HostRecord("rogue", "external", "ilab-demo-host-rogue", "lan0", "h-rogue", HostPlanner.Mac("demo", "rogue"), host!.Addresses), host);
        Assert.Equal(["192.0.2.190/24", "2001:db8:3a::190/64"], host.Addresses);
        Assert.Matches("^02:1a:b0:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$", host.Mac);
        Assert.NotEqual(HostPlanner.Mac("demo", "rogue"), HostPlanner.Mac("demo", "printer"));
        Assert.True(host.BridgePort.Length <= LabNames.MaxInterfaceName);
    }

    [Fact]
    public void A_host_without_addresses_is_allowed_it_can_get_them_later_with_ip_addr()
    {
        Assert.Equal([], HostPlanner.Plan(Plan, [], "quiet", "office", [], out _)!.Addresses);
    }

    [Theory]
    [InlineData("Rogue", "external", "192.0.2.190", "host name 'Rogue' must be 1–10 characters")]
    [InlineData("roguehost11", "external", "192.0.2.190", "host name 'roguehost11' must be 1–10 characters")]
    [InlineData("rogue", "management", "192.0.2.190", "--lan management: a host joins one of the client LANs (external, office)")]
    [InlineData("rogue", "external", "198.51.100.190", "--address 198.51.100.190 is outside LAN external's prefixes")]
    [InlineData("rogue", "office", "192.0.2.190", "--address 192.0.2.190 is outside LAN office's prefixes")]
    [InlineData("rogue", "external", "10.0.0.1", "--address 10.0.0.1 is outside LAN external's prefixes")]
    [InlineData("rogue", "external", "2001:db8:403::5", "--address 2001:db8:403::5 is outside LAN external's prefixes")]
    [InlineData("rogue", "external", "192.0.2.190/24", "--address 192.0.2.190/24 is not an IP address")]
    [InlineData("rogue", "external", "printer", "--address printer is not an IP address")]
    [InlineData("rogue", "external", "192.0.2.12", "--address 192.0.2.12 belongs to a node or the client of LAN external")]
    [InlineData("rogue", "external", "192.0.2.1", "--address 192.0.2.1 belongs to a node or the client of LAN external")]
    [InlineData("rogue", "office", "2001:db8:403::11", "--address 2001:db8:403::11 belongs to a node or the client of LAN office")]
    [InlineData("taken", "external", "192.0.2.190", "lab demo already has a host taken")]
    public void A_host_that_would_leave_its_lan_or_take_a_lab_address_is_refused(string name, string lan, string address, string expected)
    {
        HostRecord existing = new("taken", "external", "ilab-demo-host-taken", "lan0", "h-taken", "02:1a:b0:00:00:01", []);

        Assert.Null(HostPlanner.Plan(Plan, [existing], name, lan, [address], out var problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_address_twice_is_refused() =>
        Assert.Equal("--address 192.0.2.190 is given twice", Problem(["192.0.2.190", "192.0.2.190"]));

    [Fact]
    public void No_node_may_be_called_like_a_hosts_namespace() =>
        Assert.Throws<ArgumentException>(() => LabPlan.Create(LabNames.Create("demo"), ["host-rogue"], LabPlan.DefaultManagementSubnets[0]));

    [Fact]
    public void Recording_a_host_records_its_namespace_and_forgetting_it_forgets_both()
    {
        var state = new LabState
        {
            Name = "demo", StateDirectory = "/d", ManagementSubnet = "203.0.113.0/26", NodeNames = ["cwn1"], IronLb = ["ironlb"],
            Kubeconfig = "/k", ApiServer = "http://203.0.113.1:6443", MembershipKeyFile = "/m", Namespaces = ["ilab-demo-lan"],
        };
        var host = HostPlanner.Plan(Plan, [], "rogue", "external", ["192.0.2.190"], out _)!;

        var with = state.WithHost(host);
        Assert.Equal(["ilab-demo-lan", "ilab-demo-host-rogue"], with.Namespaces);
        Assert.Equal([host], with.Hosts);

        var without = with.WithoutHost("rogue");
        Assert.Equal(["ilab-demo-lan"], without.Namespaces);
        Assert.Empty(without.Hosts);
    }

    private static string? Problem(string[] addresses)
    {
        HostPlanner.Plan(Plan, [], "rogue", "external", addresses, out var problem);
        return problem;
    }
}
