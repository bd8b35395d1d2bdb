using System.Text.Json;
using IronLb.Lab.Status;

namespace IronLb.Lab.Tests.Status;

public sealed class LabStatusJsonTests
{
    [Fact]
    public void Has_exactly_the_documented_shape_with_a_null_pid_for_a_dead_speaker()
    {
        var status = new LabStatus(
            "/run/ironlb-lab/demo/kubeconfig",
            "http://203.0.113.1:6443",
            [
                new NodeStatus("cwn1", "ilab-demo-cwn1", [new InterfaceStatus("eno2", "02:00:00:00:00:01", "external"), new InterfaceStatus("eno3", null, "office")], 4242),
                new NodeStatus("cwn2", "ilab-demo-cwn2", [], null),
            ],
            [new ClientStatus("external", "ilab-demo-externalclient", "ext0")],
            [77],
            [new PodStatus("mail", "smtpout-0", "smtpout", "cwn2", "ilab-demo-pod_mail_smtpout-0", "eth0", ["203.0.113.138", "2001:db8:1ab:2::2"])])
        {
            Routers = [new RouterStatus("ilab-demo-router", "ilab-demo-router", "frr", 64512, ["192.0.2.254/24", "2001:db8:3a::254/64"])],
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(status, LabStatusJson.Default.LabStatus));
        var root = json.RootElement;
        Assert.Equal(["kubeconfig", "apiserver", "nodes", "clients", "controllerPids", "pods", "routers"], root.EnumerateObject().Select(p => p.Name));
        var router = root.GetProperty("routers")[0];
        Assert.Equal(["name", "netns", "software", "asn", "addresses"], router.EnumerateObject().Select(p => p.Name));
        Assert.Equal(64512u, router.GetProperty("asn").GetUInt32());
        var node = root.GetProperty("nodes")[0];
        Assert.Equal(["name", "netns", "interfaces", "speakerPid"], node.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "mac", "lan"], node.GetProperty("interfaces")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(4242, node.GetProperty("speakerPid").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nodes")[1].GetProperty("speakerPid").ValueKind);
        Assert.Equal(["lan", "netns", "interface"], root.GetProperty("clients")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(77, root.GetProperty("controllerPids")[0].GetInt32());
        var pod = root.GetProperty("pods")[0];
        Assert.Equal(["namespace", "name", "service", "node", "netns", "interface", "addresses"], pod.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["203.0.113.138", "2001:db8:1ab:2::2"], pod.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void The_table_names_every_node_interface_and_client()
    {
        var status = new LabStatus("/k", "http://203.0.113.1:6443",
            [new NodeStatus("cwn1", "ilab-demo-cwn1", [new InterfaceStatus("eno2", "02:00:00:00:00:01", "external")], null)],
            [new ClientStatus("office", "ilab-demo-officeclient", "ofc0")], [],
            [new PodStatus("dns", "dns-0", "dns", "cwn1", "ilab-demo-pod_dns_dns-0", "eth0", ["203.0.113.130", "2001:db8:1ab:1::2"])])
        {
            Routers = [new RouterStatus("ilab-demo-router", "ilab-demo-router", "frr", 64512, ["192.0.2.254/24"])],
        };
        var table = StatusTable.Render("demo", status, apiServerPid: 5);
        Assert.Contains("pid 5", table, StringComparison.Ordinal);
        Assert.Contains("controller: not running", table, StringComparison.Ordinal);
        Assert.Contains("eno2 (external)", table, StringComparison.Ordinal);
        Assert.Contains("02:00:00:00:00:01", table, StringComparison.Ordinal);
        Assert.Contains("dead", table, StringComparison.Ordinal);
        Assert.Contains("ilab-demo-officeclient", table, StringComparison.Ordinal);
        Assert.Contains("dns/dns-0", table, StringComparison.Ordinal);
        Assert.Contains("203.0.113.130, 2001:db8:1ab:1::2", table, StringComparison.Ordinal);
        Assert.Contains("router ilab-demo-router: frr, AS 64512, 192.0.2.254/24", table, StringComparison.Ordinal);
    }
}
