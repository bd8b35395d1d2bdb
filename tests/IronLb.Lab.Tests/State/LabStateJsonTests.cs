using System.Text.Json;
using IronLb.Lab.State;

namespace IronLb.Lab.Tests.State;

public sealed class LabStateJsonTests
{
    private static LabState Sample() => new LabState
    {
        Name = "demo",
        StateDirectory = "/run/ironlb-lab/demo",
        ManagementSubnet = "203.0.113.0/26",
        NodeNames = ["cwn1", "cwn2"],
        IronLb = ["/usr/share/dotnet/dotnet", "/opt/ironlb/ironlb.dll"],
        Kubeconfig = "/run/ironlb-lab/demo/kubeconfig",
        ApiServer = "http://203.0.113.1:6443",
        MembershipKeyFile = "/run/ironlb-lab/demo/membership.key",
        Pods = [new IronLb.Lab.Cluster.PodRecord("mail", "smtpout-0", "smtpout", "cwn2")],
        Bgp = true,
    }
        .WithNamespace("ilab-demo-lan")
        .WithNamespace("ilab-demo-cwn1")
        .WithBridge(new CreatedLink("ilab-demo-lan", "br-external"))
        .WithLink(new CreatedLink(null, "ilab-demo"))
        .WithLink(new CreatedLink("ilab-demo-lan", "n1-eno2"))
        .WithRouter(new RouterRecord("ilab-demo-router", "ilab-demo-router", "frr", 64512, ["192.0.2.254/24", "2001:db8:3a::254/64"]))
        .WithHost(new HostRecord("rogue", "external", "ilab-demo-host-rogue", "lan0", "h-rogue", "02:1a:b0:01:02:03", ["192.0.2.190/24"]))
        .WithProcess(new ProcessRecord(Roles.ApiServer, null, 100, 12345, "/run/ironlb-lab/demo/apiserver.log", ["ironlb-lab", "apiserver"]))
        .WithProcess(new ProcessRecord(Roles.Speaker, "cwn1", 101, 12346, "/run/ironlb-lab/demo/speaker-cwn1.log", ["ip", "netns", "exec", "ilab-demo-cwn1", "ironlb", "speaker", "--metrics-address", ""]));

    [Fact]
    public void Round_trips_through_the_state_file_text()
    {
        var text = StateStore.Serialize(Sample());
        var back = StateStore.Deserialize(text)!;
        Assert.Equal(text, StateStore.Serialize(back));
        Assert.Equal(["ilab-demo-lan", "ilab-demo-cwn1", "ilab-demo-host-rogue"], back.Namespaces);
        Assert.Equal(["192.0.2.190/24"], Assert.Single(back.Hosts).Addresses);
        Assert.Equal(new IronLb.Lab.Cluster.PodRecord("mail", "smtpout-0", "smtpout", "cwn2"), Assert.Single(back.Pods));
        Assert.Null(back.Links[0].Namespace);
        Assert.True(back.Bgp);
        Assert.Equal("", back.Process(Roles.Speaker, "cwn1")!.Command[^1]);
        Assert.Equal(12346UL, back.Process(Roles.Speaker, "cwn1")!.StartTime);
        Assert.Equal(64512u, Assert.Single(back.Routers).Asn);
        Assert.Equal(["192.0.2.254/24", "2001:db8:3a::254/64"], back.Routers[0].Addresses);
    }

    [Fact]
    public void Is_camel_case_json_with_every_created_thing_listed()
    {
        using var json = JsonDocument.Parse(StateStore.Serialize(Sample()));
        var root = json.RootElement;
        Assert.Equal(
            ["name", "stateDirectory", "managementSubnet", "nodeNames", "ironLb", "kubeconfig", "apiServer", "membershipKeyFile", "namespaces", "bridges", "links", "processes", "builder", "pods", "hosts", "bgp", "routers"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("br-external", root.GetProperty("bridges")[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("links")[0].GetProperty("namespace").ValueKind);
        Assert.Equal(101, root.GetProperty("processes")[1].GetProperty("pid").GetInt32());
    }

    [Fact]
    public void A_restart_replaces_the_record_of_the_same_role_and_node()
    {
        var state = Sample().WithProcess(new ProcessRecord(Roles.Speaker, "cwn1", 202, 999, "/run/ironlb-lab/demo/speaker-cwn1.log", ["x"]));
        Assert.Equal(2, state.Processes.Length);
        Assert.Equal(202, state.Process(Roles.Speaker, "cwn1")!.Pid);
        Assert.Equal(100, state.Process(Roles.ApiServer)!.Pid);
    }

    [Fact]
    public void Recording_a_namespace_twice_lists_it_once() =>
        Assert.Equal(3, Sample().WithNamespace("ilab-demo-lan").Namespaces.Length);

    [Fact]
    public void A_state_file_without_its_required_fields_is_refused() =>
        Assert.Throws<JsonException>(() => StateStore.Deserialize("""{"name":"demo"}"""));

    [Fact]
    public async Task Saves_atomically_and_loads_back()
    {
        var dir = Directory.CreateTempSubdirectory("ironlb-lab-state-").FullName;
        try
        {
            var store = new StateStore(dir);
            Assert.False(store.Exists);
            Assert.Null(await store.LoadAsync(TestContext.Current.CancellationToken));
            await store.SaveAsync(Sample(), TestContext.Current.CancellationToken);
            Assert.Equal(StateStore.Serialize(Sample()), StateStore.Serialize((await store.LoadAsync(TestContext.Current.CancellationToken))!));
            Assert.Equal(["state.json"], Directory.EnumerateFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
