using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

/// <summary>What KubeSim does beyond CRUD for built-in kinds: dry runs, events.k8s.io, Nodes and Pods.</summary>
public sealed class BuiltInKindTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dry_run_creates_validate_and_default_but_store_nothing()
    {
        await using var api = await Sim.StartAsync();
        using var client = Clients.For(api);
        var before = api.ResourceVersion;

        var dry = await client.CoreV1.CreateNamespacedServiceAsync(NodePortTests.NodePort("a", 30082), "default", dryRun: "All", cancellationToken: Ct);
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
