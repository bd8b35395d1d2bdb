using k8s;
using System.Text.Json;

namespace IronLb.Controller.Tests;

[Trait("Category", Category.Kubectl)]
public sealed class CampusTests
{
    [Fact]
    public async Task Campus_services_get_their_documented_addresses_and_pool_status_counts_them()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await CampusCluster.ApplyAsync(harness);
        harness.StartController();

        var services = (await harness.Client.CoreV1.ListServiceForAllNamespacesAsync()).Items
            .Where(s => s.Spec.Type == "LoadBalancer").ToList();
        Assert.NotEmpty(services);
        foreach (var service in services)
        {
            var requested = service.Metadata.Annotations["metallb.io/loadBalancerIPs"].Split(',');
            var got = await ControllerHarness.EventuallyAsync(
                () => harness.ServiceAsync(service.Metadata.NamespaceProperty, service.Metadata.Name),
                s => ControllerHarness.IngressOf(s).Count == requested.Length,
                $"addresses on {service.Metadata.Name}");
            Assert.Equal(requested, ControllerHarness.IngressOf(got));
            Assert.True(got.Metadata.Annotations.ContainsKey("metallb.io/ip-allocated-from-pool"));
        }

        var status = await ControllerHarness.EventuallyAsync(
            async () => JsonSerializer.Serialize(await harness.Client.CustomObjects.GetNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "external")),
            json => json.Contains("\"assignedIPv4\":14", StringComparison.Ordinal),
            "external pool status");
        Assert.Contains("\"availableIPv4\":22", status, StringComparison.Ordinal);

        var events = await harness.Client.CoreV1.ListEventForAllNamespacesAsync();
        Assert.Contains(events.Items, e => e.Reason == "IPAllocated" && e.Source?.Component == "metallb-controller");
    }

    [Fact]
    public async Task The_documentation_example_fails_and_the_remote_pc_gateway_keeps_its_address()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await CampusCluster.ApplyAsync(harness);
        var controller = harness.StartController();
        await ControllerHarness.EventuallyAsync(() => Task.FromResult(controller.Ready), r => r, "controller ready");

        var remote = (await harness.Client.CoreV1.ListServiceForAllNamespacesAsync()).Items
            .Single(s => ControllerHarness.IngressOf(s).Contains("141.89.58.184") || (s.Metadata.Annotations is { } a && a.TryGetValue("metallb.io/loadBalancerIPs", out var ips) ? ips : "").StartsWith("141.89.58.184,", StringComparison.Ordinal));
        await ControllerHarness.EventuallyAsync(
            () => harness.ServiceAsync(remote.Metadata.NamespaceProperty, remote.Metadata.Name),
            s => ControllerHarness.IngressOf(s).Contains("141.89.58.184"),
            "remote-pc address");

        await CampusCluster.ApplyAsync(harness, "campus-conflict");
        var events = await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListEventForAllNamespacesAsync(),
            list => list.Items.Any(e => e.Reason == "AllocationFailed" && e.InvolvedObject.Name == "my-service"),
            "AllocationFailed on my-service");
        Assert.Contains(events.Items, e => e.Type == "Warning" && e.Message.Contains(remote.Metadata.Name, StringComparison.Ordinal));
        var after = await harness.ServiceAsync(remote.Metadata.NamespaceProperty, remote.Metadata.Name);
        Assert.Contains("141.89.58.184", ControllerHarness.IngressOf(after));
    }
}
