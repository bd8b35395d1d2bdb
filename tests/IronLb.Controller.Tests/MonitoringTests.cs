using IronLb.Monitoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Controller.Tests;

[Trait("Category", Category.Kubectl)]
public sealed class MonitoringTests
{
    [Fact]
    public async Task Metrics_carry_MetalLB_names_and_health_follows_readiness()
    {
        await using var harness = await ControllerHarness.StartAsync();
        await harness.CreatePoolAsync("monitored", """["203.0.113.0/29","2001:db8:9::/126"]""");
        var controller = harness.StartController();
        await harness.CreateServiceAsync("default", "one");
        await ControllerHarness.EventuallyAsync(() => harness.ServiceAsync("default", "one"), s => ControllerHarness.IngressOf(s).Count == 1, "address");

        using var exporter = new PrometheusExporter(controller.Metrics.Meter);
        exporter.Start();
        var ready = false;
        await using var server = new MonitoringServer();
        var urls = await server.StartAsync("127.0.0.1:0", "127.0.0.1:0", exporter, () => ready, NullLoggerFactory.Instance, CancellationToken.None);
        using var http = new HttpClient();

        var metrics = await ControllerHarness.EventuallyAsync(
            () => http.GetStringAsync(new Uri(urls[0], "/metrics")),
            text => text.Contains("metallb_allocator_addresses_in_use_total{pool=\"monitored\"} 1", StringComparison.Ordinal),
            "allocator metrics");
        Assert.Contains("metallb_allocator_ipv4_addresses_total{pool=\"monitored\"} 8", metrics, StringComparison.Ordinal);
        Assert.Contains("metallb_allocator_ipv6_addresses_total{pool=\"monitored\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE metallb_k8s_client_updates_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("metallb_k8s_client_config_loaded_bool", metrics, StringComparison.Ordinal);

        Assert.Equal("ok", await http.GetStringAsync(new Uri(urls[1], "/healthz")));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(urls[1], "/readyz"))).StatusCode);
        ready = controller.Ready;
        Assert.True(ready);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri(urls[1], "/readyz"))).StatusCode);
    }
}
