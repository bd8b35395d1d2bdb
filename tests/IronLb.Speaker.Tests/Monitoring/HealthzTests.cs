using System.Net;
using IronLb.Monitoring;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Monitoring;

/// <summary>/healthz follows the liveness of the loop that refreshes the answer deadline; /readyz is unchanged.</summary>
public sealed class HealthzTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Healthz_fails_with_the_reason_while_the_loop_is_frozen_and_recovers_when_it_runs()
    {
        var liveness = new Liveness(_time, TimeSpan.FromMilliseconds(300), "membership loop");
        using var exporter = new PrometheusExporter("IronLb.Tests.Healthz");
        await using var server = new MonitoringServer();
        var urls = await server.StartAsync("", "127.0.0.1:0", exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken, liveness.Failure);
        using var http = new HttpClient();
        var healthz = new Uri(urls[0], "/healthz");

        // Start-up (before the first tick) is readiness' business, not liveness'.
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(http, healthz));
        liveness.Beat();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(http, healthz));

        // Frozen: no tick for longer than the window.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "membership loop has not run for 301 ms (window 300 ms)"), await GetAsync(http, healthz));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(urls[0], "/readyz"), TestContext.Current.CancellationToken)).StatusCode);

        liveness.Beat();
        Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(http, healthz));
    }

    [Fact]
    public void A_window_that_is_not_positive_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Liveness(_time, TimeSpan.Zero, "loop"));

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
