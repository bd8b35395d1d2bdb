using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>
/// The pool-removal grace against KubeSim: pools deleted and re-applied (a GitOps re-sync, a Helm
/// uninstall and install) keep every Service's address; with grace 0 they are unassigned and come back as
/// MetalLB's would; after the grace they are unassigned. The system clock with short graces and generous
/// waits: the controller's informers and queue run on the TimeProvider too, and a frozen fake would stall them.
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class PoolRemovalGraceTests
{
    private static readonly string[] Names = ["a", "b", "c", "d", "e"];

    // "a" is deleted once all have addresses.
    private static readonly string[] Remaining = Names[1..];

    [Fact]
    public async Task Every_pool_deleted_and_re_applied_within_seconds_keeps_every_address()
    {
        await using var harness = await StartAsync(TimeSpan.FromSeconds(120));
        var before = await AddressesAsync(harness);

        await DeletePoolsAsync(harness);
        await EventsAsync(harness, "AddressHeld", Remaining);
        Assert.Equal(before, await AddressesAsync(harness, wait: false));

        await CreatePoolsAsync(harness);
        await EventsAsync(harness, "AddressKept", Remaining);
        Assert.Equal(before, await AddressesAsync(harness, wait: false));

        // The held addresses were never free: a new Service gets the next one.
        await harness.CreateServiceAsync("default", "late");
        var late = await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", "late"), s => ControllerHarness.IngressOf(s).Count == 1, "late addressed");
        Assert.DoesNotContain(ControllerHarness.IngressOf(late)[0], before.Values);
        Assert.DoesNotContain(await ServiceEventsAsync(harness), e => e.Reason == "ClearAssignment");
    }

    [Fact]
    public async Task With_grace_0_the_Services_are_unassigned_and_come_back_elsewhere_as_in_MetalLB()
    {
        await using var harness = await StartAsync(TimeSpan.Zero);
        var before = await AddressesAsync(harness);

        await DeletePoolsAsync(harness);
        await ControllerHarness.EventuallyAsync(harness.LoadBalancersAsync, all => all.All(s => ControllerHarness.IngressOf(s).Count == 0), "every Service unassigned");
        await CreatePoolsAsync(harness);
        var after = await AddressesAsync(harness);

        // "a" was deleted before the re-sync: the lowest address is free again and the others shift down.
        Assert.NotEqual(before, after);
        Assert.Equal("203.0.113.0", after["b"]);
    }

    [Fact]
    public async Task After_the_grace_the_Services_are_unassigned_as_in_MetalLB()
    {
        await using var harness = await StartAsync(TimeSpan.FromSeconds(3), extraPool: true);
        await AddressesAsync(harness);

        await DeletePoolsAsync(harness);
        await EventsAsync(harness, "AddressHeld", Remaining);
        await ControllerHarness.EventuallyAsync(harness.LoadBalancersAsync, all => all.All(s => ControllerHarness.IngressOf(s).Count == 0), "every Service unassigned after the grace");

        // As MetalLB: ClearAssignment, then no other pool may serve them automatically (green has autoAssign false).
        await EventsAsync(harness, "ClearAssignment", Remaining);
        await EventsAsync(harness, "AllocationFailed", Remaining);
    }

    [Fact]
    public async Task A_controller_started_after_the_pools_went_keeps_the_addresses_until_they_are_re_applied()
    {
        // A Helm uninstall and install: the controller and the pools go, the Services keep their status.
        await using var harness = await ControllerHarness.StartAsync();
        await CreatePoolsAsync(harness);
        var first = harness.StartController(Options(TimeSpan.Zero));
        await CreateServicesAsync(harness);
        var before = await AddressesAsync(harness);
        await harness.KillAsync(first);
        await DeletePoolsAsync(harness);

        harness.StartController(Options(TimeSpan.FromSeconds(120)));
        await EventsAsync(harness, "AddressHeld", Remaining);
        await CreatePoolsAsync(harness);
        await EventsAsync(harness, "AddressKept", Remaining);

        Assert.Equal(before, await AddressesAsync(harness, wait: false));
        Assert.DoesNotContain(await ServiceEventsAsync(harness), e => e.Reason == "ClearAssignment");
    }

    private static ControllerOptions Options(TimeSpan grace) => new() { WatchTimeoutSeconds = 30, PoolRemovalGrace = grace };

    // Pools blue (auto) and, when asked, green (autoAssign false); Services a–e, then a deleted, so b–e sit
    // above the lowest address: a controller that forgets them would hand out different ones.
    private static async Task<ControllerHarness> StartAsync(TimeSpan grace, bool extraPool = false)
    {
        var harness = await ControllerHarness.StartAsync();
        await CreatePoolsAsync(harness);
        if (extraPool)
        {
            await harness.CreatePoolAsync("green", """["198.51.100.0/29"]""", ",\"autoAssign\":false");
        }

        harness.StartController(Options(grace));
        await CreateServicesAsync(harness);
        return harness;
    }

    private static async Task CreateServicesAsync(ControllerHarness harness)
    {
        foreach (var name in Names)
        {
            await harness.CreateServiceAsync("default", name);
            await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", name), s => ControllerHarness.IngressOf(s).Count == 1, $"{name} addressed");
        }

        await harness.Client.CoreV1.DeleteNamespacedServiceAsync("a", "default");
    }

    private static Task CreatePoolsAsync(ControllerHarness harness) => harness.CreatePoolAsync("blue", """["203.0.113.0/29"]""");

    private static Task DeletePoolsAsync(ControllerHarness harness) =>
        harness.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "blue");

    /// <summary>Each remaining Service's one address, by name; with <paramref name="wait"/>, once all four have one.</summary>
    private static async Task<Dictionary<string, string>> AddressesAsync(ControllerHarness harness, bool wait = true)
    {
        var services = wait
            ? await ControllerHarness.EventuallyAsync(harness.LoadBalancersAsync, all => all.Count == 4 && all.All(s => ControllerHarness.IngressOf(s).Count == 1), "every Service addressed")
            : await harness.LoadBalancersAsync();
        return services.ToDictionary(s => s.Metadata.Name, s => string.Join(",", ControllerHarness.IngressOf(s)));
    }

    private static async Task<IList<Corev1Event>> ServiceEventsAsync(ControllerHarness harness) =>
        (await harness.Client.CoreV1.ListNamespacedEventAsync("default")).Items;

    private static Task<IList<Corev1Event>> EventsAsync(ControllerHarness harness, string reason, IEnumerable<string> names) =>
        ControllerHarness.EventuallyAsync(
            () => ServiceEventsAsync(harness),
            events => names.All(n => events.Any(e => e.InvolvedObject.Name == n && e.Reason == reason)),
            $"{reason} on {string.Join(",", names)}");
}
