using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

[Trait("Category", Category.Kubectl)]
public sealed class LeaderElectionTests
{
    private static ControllerOptions Replica(string identity) => new()
    {
        LeaderElect = true,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
        MetricsAddress = "",
        HealthAddress = "",
        WatchTimeoutSeconds = 30,
    };

    [Fact]
    public async Task Exactly_one_replica_reconciles_and_the_other_takes_over_when_it_stops()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await Pool(harness);
        var a = harness.StartHost(Replica("replica-a"));
        var b = harness.StartHost(Replica("replica-b"));

        await CreateServiceAsync(harness, "first");
        await WaitForAddressAsync(harness, "first");
        var holder = await HolderAsync(harness);
        Assert.Contains(holder, new[] { "replica-a", "replica-b" });

        // One IPAllocated event: two reconciling replicas would both have recorded one.
        var events = await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("default"),
            list => list.Items.Any(e => e.InvolvedObject.Name == "first" && e.Reason == "IPAllocated"),
            "IPAllocated on first");
        Assert.Single(events.Items, e => e.InvolvedObject.Name == "first" && e.Reason == "IPAllocated");

        var (leader, follower) = holder == "replica-a" ? (a, b) : (b, a);
        await leader.Stop.CancelAsync();
        await leader.Run;

        await CreateServiceAsync(harness, "second");
        await WaitForAddressAsync(harness, "second");
        Assert.NotEqual(holder, await HolderAsync(harness));
        Assert.False(follower.Run.IsCompleted);
    }

    private static async Task Pool(ControllerHarness harness)
    {
        var pool = """
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"pool","namespace":"metallb-system"},"spec":{"addresses":["192.0.2.0/28"]}}
            """;
        harness.Api.Create("metallb.io/v1beta1", "ipaddresspools", "metallb-system", pool);
        await Task.CompletedTask;
    }

    private static Task CreateServiceAsync(ControllerHarness harness, string name) =>
        harness.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");

    private static Task WaitForAddressAsync(ControllerHarness harness, string name) =>
        ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", name), s => ControllerHarness.IngressOf(s).Count == 1, $"address on {name}");

    private static async Task<string> HolderAsync(ControllerHarness harness) =>
        (await harness.Client.CoordinationV1.ReadNamespacedLeaseAsync("ironlb-controller", "metallb-system")).Spec.HolderIdentity ?? "";
}
