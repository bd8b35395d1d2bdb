using System.Text.Json;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>MetalLB's converge cases end to end: the controller, the real client and KubeSim.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class ConvergeScenarioTests
{
    [Fact]
    public async Task Pool_deletion_shrink_pool_switch_and_sharing_changes_end_where_MetalLB_ends()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("first", """["192.0.2.0/30"]""");
        await harness.CreatePoolAsync("second", """["198.51.100.0/30"]""", ",\"autoAssign\":false");

        // MetalLB's behaviour: no pool-removal grace (PoolRemovalGraceTests covers the grace).
        harness.StartController(new ControllerOptions { WatchTimeoutSeconds = 30, PoolRemovalGrace = TimeSpan.Zero });

        // Auto-assignment only uses the autoAssign pool.
        await harness.CreateServiceAsync("default", "a");
        Assert.Equal(["192.0.2.0"], ControllerHarness.IngressOf(await AddressAsync(harness, "a", "192.0.2.0")));

        // Switching the address-pool annotation moves the Service (MetalLB: "switch to a different specific pool").
        await AnnotateAsync(harness, "a", "metallb.io/address-pool", "second");
        var moved = await AddressAsync(harness, "a", "198.51.100.0");
        Assert.Equal("second", moved.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);

        // Shrinking the pool under an address clears it (ClearAssignment) and re-allocates inside the new range.
        await PatchPoolAsync(harness, "second", """{"spec":{"addresses":["198.51.100.2/31"]}}""");
        await AddressAsync(harness, "a", "198.51.100.2");
        await EventAsync(harness, "a", "ClearAssignment");

        // Deleting the pool re-allocates from the next one that may serve the Service: none (second is gone,
        // first is not requested) → pending with AllocationFailed; removing the annotation lets "first" serve it.
        await harness.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "second");
        await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", "a"), s => ControllerHarness.IngressOf(s).Count == 0, "a cleared");
        await EventAsync(harness, "a", "AllocationFailed");
        await AnnotateAsync(harness, "a", "metallb.io/address-pool", null);
        await AddressAsync(harness, "a", "192.0.2.0");

        // Two Services with the same sharing key and different ports share the lowest address...
        var shared = new Dictionary<string, string> { ["metallb.io/allow-shared-ip"] = "web" };
        await harness.CreateServiceAsync("default", "b", shared, port: 80);
        await harness.CreateServiceAsync("default", "c", shared, port: 443);
        await AddressAsync(harness, "b", "192.0.2.1");
        await AddressAsync(harness, "c", "192.0.2.1");

        // ...until one changes its sharing conditions (externalTrafficPolicy Local with a selector): it moves away.
        var c = await harness.ServiceAsync("default", "c");
        c.Spec.ExternalTrafficPolicy = "Local";
        c.Spec.Selector = new Dictionary<string, string> { ["app"] = "c" };
        await harness.Client.CoreV1.ReplaceNamespacedServiceAsync(c.WithoutManagedFields(), "c", "default");
        await AddressAsync(harness, "c", "192.0.2.2");
        Assert.Equal(["192.0.2.1"], ControllerHarness.IngressOf(await harness.ServiceAsync("default", "b")));
    }

    private static Task<V1Service> AddressAsync(ControllerHarness harness, string name, string ip) =>
        ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", name), s => ControllerHarness.IngressOf(s).SequenceEqual([ip]), $"{name} on {ip}");

    private static Task EventAsync(ControllerHarness harness, string name, string reason) =>
        ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("default"),
            list => list.Items.Any(e => e.InvolvedObject.Name == name && e.Reason == reason),
            $"{reason} on {name}");

    private static async Task AnnotateAsync(ControllerHarness harness, string name, string key, string? value)
    {
        var patch = JsonSerializer.Serialize(new Dictionary<string, object> { ["metadata"] = new Dictionary<string, object> { ["annotations"] = new Dictionary<string, string?> { [key] = value } } });
        await harness.Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, "default");
    }

    private static Task PatchPoolAsync(ControllerHarness harness, string name, string patch) =>
        harness.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", name);
}
