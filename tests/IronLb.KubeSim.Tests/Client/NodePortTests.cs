using System.Net;
using IronLb.KubeSim.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace IronLb.KubeSim.Tests.Client;

/// <summary>Service node ports: allocated, exclusive, released and dropped as the real API server does.</summary>
public sealed class NodePortTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static V1Service NodePort(string name, int nodePort) => new()
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
}
