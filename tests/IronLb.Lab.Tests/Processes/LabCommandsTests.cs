using System.Net;
using IronLb.Lab.ApiServer;
using IronLb.Lab.Processes;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Tests.Processes;

public sealed class LabCommandsTests
{
    private static readonly LabPlan Plan = LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0]);

    [Fact]
    public void A_speaker_runs_inside_its_node_namespace_with_the_cluster_mode_flags()
    {
        var command = LabCommands.Speaker(["/opt/ironlb"], Plan.Nodes[1], "/run/ironlb-lab/demo/kubeconfig", "/run/ironlb-lab/demo/membership.key");
        Assert.Equal(
        [
            "ip", "netns", "exec", "ilab-demo-cwn2", "/opt/ironlb", "speaker", "--node", "cwn2", "--kubeconfig", "/run/ironlb-lab/demo/kubeconfig",
            "--membership-address", "203.0.113.12", "--membership-key-file", "/run/ironlb-lab/demo/membership.key",
            "--metrics-address", "", "--health-address", "", "--log-level", "info",
        ], command);
    }

    [Fact]
    public void Speaker_args_come_last_and_replace_a_default_they_name_again()
    {
        var command = LabCommands.Speaker(["/opt/ironlb"], Plan.Nodes[0], "/k", "/m", ["--conflict-probes=0", "--metrics-address=:7472", "--log-level", "debug"]);
        Assert.Equal(
        [
            "ip", "netns", "exec", "ilab-demo-cwn1", "/opt/ironlb", "speaker", "--node", "cwn1", "--kubeconfig", "/k",
            "--membership-address", "203.0.113.11", "--membership-key-file", "/m",
            "--health-address", "", "--conflict-probes=0", "--metrics-address=:7472", "--log-level", "debug",
        ], command);
    }

    [Fact]
    public void The_controller_runs_on_the_host_without_endpoints() =>
        Assert.Equal(
            ["dotnet", "ironlb.dll", "controller", "--kubeconfig", "/k", "--metrics-address", "", "--health-address", "", "--log-level", "info"],
            LabCommands.Controller(["dotnet", "ironlb.dll"], "/k"));

    [Fact]
    public void The_api_server_relays_from_the_hosts_management_address_and_keeps_endpoints_on_every_node() =>
        Assert.Equal(
            ["ironlb-lab", "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", "/l", "--relay", "203.0.113.1:6443", "--endpoint-nodes", "cwn1,cwn2"],
            LabCommands.ApiServer(["ironlb-lab"], "/l", Plan));

    [Fact]
    public void With_rbac_the_api_server_enforces_deploys_rules_and_writes_each_components_token_kubeconfig() =>
        Assert.Equal(
            ["ironlb-lab", "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", "/l", "--relay", "203.0.113.1:6443", "--endpoint-nodes", "cwn1,cwn2",
                "--rbac", "/deploy/rbac", "--token-kubeconfig", "metallb-system/ironlb-controller=/c", "--token-kubeconfig", "metallb-system/ironlb-speaker=/s"],
            LabCommands.ApiServer(["ironlb-lab"], "/l", Plan, new LabAccess("/deploy/rbac", "/c", "/s")));

    [Fact]
    public void With_pods_the_api_server_reads_them_from_the_labs_state_for_their_endpoint_slices()
    {
        var withPods = LabPlan.Create(LabNames.Create("demo"), ["cwn1", "cwn2"], LabPlan.DefaultManagementSubnets[0], [new IronLb.Lab.Cluster.PodRecord("mail", "smtpout-0", "smtpout", "cwn2")]);
        Assert.Equal(
            ["ironlb-lab", "apiserver", "--listen", "127.0.0.1:0", "--kubeconfig-out", "/l", "--relay", "203.0.113.1:6443", "--endpoint-nodes", "cwn1,cwn2",
                "--pods-from", "/run/ironlb-lab/demo/state.json"],
            LabCommands.ApiServer(["ironlb-lab"], "/l", withPods, stateFile: "/run/ironlb-lab/demo/state.json"));
        Assert.DoesNotContain("--pods-from", LabCommands.ApiServer(["ironlb-lab"], "/l", Plan, stateFile: "/run/ironlb-lab/demo/state.json"));
    }

    [Theory]
    [InlineData("203.0.113.1", true)]
    [InlineData("192.0.2.1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("0.0.0.0", false)]
    public void The_relay_listens_on_documentation_addresses_only(string address, bool allowed) =>
        Assert.Equal(allowed, TcpRelay.IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void A_dll_is_started_through_the_dotnet_host_and_an_apphost_directly()
    {
        Assert.Equal(["/x/ironlb"], Executables.Launch("/x/ironlb"));
        var launch = Executables.Launch("/x/ironlb.dll");
        Assert.Equal(2, launch.Length);
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(launch[0]));
        Assert.Equal("/x/ironlb.dll", launch[1]);
    }
}
