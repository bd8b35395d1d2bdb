using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

public sealed class MoreSemanticsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Service NodePort(string name, int nodePort) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec { Type = "NodePort", Ports = [new V1ServicePort { Port = 80, NodePort = nodePort }] },
    };

    [Fact]
    public async Task A_requested_node_port_is_exclusive_until_its_service_is_deleted()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        await client.CoreV1.CreateNamespacedServiceAsync(NodePort("a", 30080), "default", cancellationToken: Ct);

        var taken = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedServiceAsync(NodePort("b", 30080), "default", cancellationToken: Ct));
        await client.CoreV1.DeleteNamespacedServiceAsync("a", "default", cancellationToken: Ct);
        var reused = await client.CoreV1.CreateNamespacedServiceAsync(NodePort("b", 30080), "default", cancellationToken: Ct);

        Assert.Equal((HttpStatusCode)422, taken.Response.StatusCode);
        Assert.Contains("provided port is already allocated", CrudTests.Status(taken).Message);
        Assert.Equal(30080, reused.Spec.Ports[0].NodePort);
    }

    [Fact]
    public async Task Changing_a_service_to_ClusterIP_drops_its_node_ports()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var svc = await client.CoreV1.CreateNamespacedServiceAsync(NodePort("a", 30081), "default", cancellationToken: Ct);

        svc.Spec.Type = "ClusterIP";
        var changed = await client.CoreV1.ReplaceNamespacedServiceAsync(svc, "a", "default", cancellationToken: Ct);
        var other = await client.CoreV1.CreateNamespacedServiceAsync(NodePort("b", 30081), "default", cancellationToken: Ct);

        Assert.Null(changed.Spec.Ports[0].NodePort);
        Assert.Null(changed.Spec.ExternalTrafficPolicy);
        Assert.Equal(30081, other.Spec.Ports[0].NodePort);
    }

    [Fact]
    public async Task Load_balancers_without_node_port_allocation_keep_only_the_node_ports_they_name()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var svc = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "lb" },
            Spec = new V1ServiceSpec
            {
                Type = "LoadBalancer",
                AllocateLoadBalancerNodePorts = false,
                Ports = [new V1ServicePort { Name = "a", Port = 80 }, new V1ServicePort { Name = "b", Port = 81, NodePort = 30090 }],
            },
        };

        var created = await client.CoreV1.CreateNamespacedServiceAsync(svc, "default", cancellationToken: Ct);

        Assert.Null(created.Spec.Ports[0].NodePort);
        Assert.Equal(30090, created.Spec.Ports[1].NodePort);
    }

    [Fact]
    public async Task Dry_run_creates_validate_and_default_but_store_nothing()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var before = api.ResourceVersion;

        var dry = await client.CoreV1.CreateNamespacedServiceAsync(NodePort("a", 30082), "default", dryRun: "All", cancellationToken: Ct);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedServiceAsync("a", "default", cancellationToken: Ct));

        Assert.Equal("None", dry.Spec.SessionAffinity);
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal(before, api.ResourceVersion);
    }

    [Fact]
    public async Task Events_written_through_events_k8s_io_are_core_events_too()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var evt = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            EventTime = DateTime.UtcNow,
            Regarding = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default" },
            Reason = "nodeAssigned",
            Note = "announcing from node \"node-a\"",
            Type = "Normal",
            Action = "Announce",
            ReportingController = "metallb-speaker",
            ReportingInstance = "node-a",
        };

        await client.EventsV1.CreateNamespacedEventAsync(evt, "default", cancellationToken: Ct);
        var core = await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web", cancellationToken: Ct);
        var v1 = await client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=web,reportingController=metallb-speaker", cancellationToken: Ct);

        var item = Assert.Single(core.Items);
        Assert.Equal("announcing from node \"node-a\"", item.Message);
        Assert.Equal("metallb-speaker", item.ReportingComponent);
        Assert.Equal("Announce", Assert.Single(v1.Items).Action);
    }

    [Fact]
    public async Task Nodes_keep_status_on_create_and_status_writes_keep_spec()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "node-a", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-a" } },
            Spec = new V1NodeSpec { PodCIDR = "10.244.0.0/24" },
            Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        };

        var created = await client.CoreV1.CreateNodeAsync(node, cancellationToken: Ct);
        var createdReady = created.Status.Conditions[0].Status;
        created.Spec.Unschedulable = true;
        created.Status.Conditions[0].Status = "False";
        var statusWritten = await client.CoreV1.ReplaceNodeStatusAsync(created, "node-a", cancellationToken: Ct);
        var unschedulable = await client.CoreV1.ListNodeAsync(fieldSelector: "spec.unschedulable=false", cancellationToken: Ct);

        Assert.Equal("True", createdReady);
        Assert.Null(statusWritten.Spec.Unschedulable);
        Assert.Equal("False", statusWritten.Status.Conditions[0].Status);
        Assert.Equal("node-a", Assert.Single(unschedulable.Items).Metadata.Name);
    }

    [Fact]
    public async Task Pods_start_Pending_and_are_selected_by_node_name()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        foreach (var (name, nodeName) in new[] { ("p1", "node-a"), ("p2", "node-b") })
        {
            await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            }, "default", cancellationToken: Ct);
        }

        var onA = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=node-a", cancellationToken: Ct);

        var pod = Assert.Single(onA.Items);
        Assert.Equal("p1", pod.Metadata.Name);
        Assert.Equal("Pending", pod.Status.Phase);
    }
}
