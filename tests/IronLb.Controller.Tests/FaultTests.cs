using System.Text.Json;
using IronLb.Monitoring;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>No input from the API can crash the controller or stall its queue; each case ends in the right state.</summary>
[Trait("Category", Category.Kubectl)]
public sealed class FaultTests
{
    [Fact]
    public async Task An_invalid_pool_set_never_replaces_the_last_good_one()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("good", """["192.0.2.0/28"]""");
        var controller = harness.StartController();
        await harness.CreateServiceAsync("default", "before");
        await WaitForAddressAsync(harness, "before");

        await harness.CreatePoolAsync("overlapping", """["192.0.2.8/29"]""");
        await harness.CreatePoolAsync("broken", """["not-a-cidr"]""");
        var state = await ControllerHarness.EventuallyAsync(
            async () => JsonSerializer.Serialize(await harness.Client.CustomObjects.GetNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "configurationstates", "controller")),
            // Both pools arrive as separate events: the state may say Invalid for the first before it lists both.
            json => json.Contains("\"result\":\"Invalid\"", StringComparison.Ordinal) && json.Contains("not-a-cidr", StringComparison.Ordinal),
            "ConfigurationState Invalid naming the broken pool");
        Assert.Contains("overlaps with already defined CIDR", state, StringComparison.Ordinal);
        await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("metallb-system"),
            list => list.Items.Count(e => e.Type == "Warning" && e.InvolvedObject.Kind == "IPAddressPool") >= 2,
            "warning events on the bad pools");

        using var exporter = new PrometheusExporter(controller.Metrics.Meter);
        exporter.Start();
        Assert.Contains("metallb_k8s_client_config_stale_bool 1", exporter.Render(), StringComparison.Ordinal);

        // The last good configuration still serves: a new Service gets an address from "good".
        await harness.CreateServiceAsync("default", "during");
        var during = await WaitForAddressAsync(harness, "during");
        Assert.Equal("good", during.Metadata.Annotations["metallb.io/ip-allocated-from-pool"]);
        Assert.Equal(["192.0.2.0"], ControllerHarness.IngressOf(await harness.ServiceAsync("default", "before")));

        await harness.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "overlapping");
        await harness.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "broken");
        await ControllerHarness.EventuallyAsync(
            async () => JsonSerializer.Serialize(await harness.Client.CustomObjects.GetNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "configurationstates", "controller")),
            json => json.Contains("\"result\":\"Valid\"", StringComparison.Ordinal),
            "ConfigurationState Valid again");
        Assert.True(controller.Ready);
    }

    [Fact]
    public async Task Malformed_requests_and_statuses_get_warnings_and_the_queue_keeps_going()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("pool", """["192.0.2.0/28"]""");
        harness.StartController();

        await harness.CreateServiceAsync("default", "garbage-ip", new Dictionary<string, string> { ["metallb.io/loadBalancerIPs"] = "not-an-ip" });
        await harness.CreateServiceAsync("default", "unknown-pool", new Dictionary<string, string> { ["metallb.io/address-pool"] = "nope" });
        await harness.CreateServiceAsync("default", "too-many", new Dictionary<string, string> { ["metallb.io/loadBalancerIPs"] = "192.0.2.1,192.0.2.2,192.0.2.3" });
        await harness.CreateServiceAsync("default", "fine");
        await WaitForAddressAsync(harness, "fine");

        var events = await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("default"),
            list => new[] { "garbage-ip", "unknown-pool", "too-many" }.All(n => list.Items.Any(e => e.InvolvedObject.Name == n && e.Reason == "AllocationFailed")),
            "AllocationFailed on each malformed Service");
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "unknown-pool" && e.Message.Contains("unknown pool \"nope\"", StringComparison.Ordinal));

        // Someone writes three addresses into a status: the controller warns and re-allocates.
        var broken = await harness.ServiceAsync("default", "fine");
        broken.Status.LoadBalancer = new V1LoadBalancerStatus { Ingress = [new() { Ip = "192.0.2.9" }, new() { Ip = "192.0.2.10" }, new() { Ip = "192.0.2.11" }] };
        await harness.Client.CoreV1.ReplaceNamespacedServiceStatusAsync(broken.WithoutManagedFields(), "fine", "default");
        await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", "fine"), s => ControllerHarness.IngressOf(s).Count == 1, "one address again");
        await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("default"),
            list => list.Items.Any(e => e.InvolvedObject.Name == "fine" && e.Reason == "nolbIPsIPFamily"),
            "nolbIPsIPFamily warning");
    }

    [Fact]
    public async Task Conflicts_on_every_write_for_a_while_end_in_the_right_state()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await using var proxy = await FaultProxy.StartAsync(harness.Api.BaseUrl);
        await harness.CreatePoolAsync("pool", """["192.0.2.0/28"]""");
        proxy.FailWritesWithConflict(40);
        harness.StartController(kubeconfig: proxy.WriteKubeconfig(harness.Api.CreateToken("metallb-system", "ironlb-controller")));
        for (var i = 0; i < 5; i++)
        {
            await harness.CreateServiceAsync("default", $"svc-{i}");
        }

        for (var i = 0; i < 5; i++)
        {
            await WaitForAddressAsync(harness, $"svc-{i}");
        }

        Assert.Equal(40, proxy.ConflictsServed);
        await ControllerHarness.EventuallyAsync(() => harness.PoolJsonAsync("pool"), json => json.Contains("\"assignedIPv4\":5", StringComparison.Ordinal), "pool status after conflicts");
    }

    [Fact]
    public async Task The_API_server_going_away_for_30_seconds_and_an_expired_watch_lose_nothing()
    {
        // A short watch history, so the changes made while the controller is cut off expire its watch (410).
        await using var harness = await ControllerHarness.StartAsync(new KubeSim.KubeSimOptions { WatchHistoryLimit = 20 });
        await using var proxy = await FaultProxy.StartAsync(harness.Api.BaseUrl);
        await harness.CreatePoolAsync("pool", """["192.0.2.0/27"]""");
        var controller = harness.StartController(kubeconfig: proxy.WriteKubeconfig(harness.Api.CreateToken("metallb-system", "ironlb-controller")));
        await harness.CreateServiceAsync("default", "early");
        await WaitForAddressAsync(harness, "early");

        await proxy.DownAsync();
        for (var i = 0; i < 15; i++)
        {
            await harness.CreateServiceAsync("default", $"while-away-{i}");
        }

        await harness.Client.CoreV1.DeleteNamespacedServiceAsync("early", "default");
        await Task.Delay(TimeSpan.FromSeconds(30));
        await proxy.UpAsync();

        for (var i = 0; i < 15; i++)
        {
            await WaitForAddressAsync(harness, $"while-away-{i}");
        }

        var all = await harness.LoadBalancersAsync();
        Assert.Equal(15, all.Select(s => ControllerHarness.IngressOf(s)[0]).Distinct().Count());
        await ControllerHarness.EventuallyAsync(() => harness.PoolJsonAsync("pool"), json => json.Contains("\"assignedIPv4\":15", StringComparison.Ordinal), "pool status counts 15");
        Assert.True(controller.Ready);
    }

    [Fact]
    public async Task An_overwritten_pool_status_is_put_back()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("pool", """["192.0.2.0/30","2001:db8::/126"]""");
        harness.StartController();
        await harness.CreateServiceAsync("default", "one");
        await WaitForAddressAsync(harness, "one");
        await ControllerHarness.EventuallyAsync(() => harness.PoolJsonAsync("pool"), json => json.Contains("\"availableIPv4\":3", StringComparison.Ordinal), "pool status");

        var bogus = JsonDocument.Parse("""{"status":{"assignedIPv4":99,"assignedIPv6":99,"availableIPv4":0,"availableIPv6":0}}""").RootElement;
        await harness.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(bogus.GetRawText(), V1Patch.PatchType.MergePatch), "metallb.io", "v1beta1", "metallb-system", "ipaddresspools", "pool");
        var restored = await ControllerHarness.EventuallyAsync(() => harness.PoolJsonAsync("pool"), json => json.Contains("\"assignedIPv4\":1", StringComparison.Ordinal), "status restored");
        Assert.Contains("\"availableIPv6\":4", restored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_namespace_frees_its_addresses_for_pending_services()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("tiny", """["192.0.2.1/32"]""");
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        harness.StartController();
        await harness.CreateServiceAsync("doomed", "holder");
        await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("doomed", "holder"), s => ControllerHarness.IngressOf(s).Count == 1, "holder's address");
        await harness.CreateServiceAsync("default", "waiting");
        await ControllerHarness.EventuallyAsync(
            () => harness.Client.CoreV1.ListNamespacedEventAsync("default"),
            list => list.Items.Any(e => e.InvolvedObject.Name == "waiting" && e.Reason == "AllocationFailed"),
            "waiting is pending");

        await harness.Client.CoreV1.DeleteNamespaceAsync("doomed");
        var waiting = await WaitForAddressAsync(harness, "waiting");
        Assert.Equal(["192.0.2.1"], ControllerHarness.IngressOf(waiting));
    }

    private static Task<V1Service> WaitForAddressAsync(ControllerHarness harness, string name) =>
        ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", name), s => ControllerHarness.IngressOf(s).Count == 1, $"an address on {name}", seconds: 90);
}
