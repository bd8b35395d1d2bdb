using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using IronLb.Monitoring.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Monitoring.Tests;

/// <summary>
/// The endpoints over real loopback sockets: what Prometheus and the kubelet get, what other clients get, and
/// that a silent client or a flood holds a connection only until its deadline. Time is fake: a deadline passes
/// when the test advances it, never by waiting.
/// </summary>
public sealed class MonitoringServerTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly HttpServerLimits _limits;
    private readonly MonitoringServer _server;
    private readonly PrometheusExporter _exporter = new("IronLb.Monitoring.Tests.None");
    private string? _failure;
    private bool _ready;

    public MonitoringServerTests()
    {
        _limits = HttpServerLimits.Default with { Time = _time };
        _server = new MonitoringServer(_limits);
    }

    [Fact]
    public async Task Metrics_are_the_exporter_text_in_Prometheus_text_format()
    {
        using var meter = new Meter("IronLb.Monitoring.Tests.Metrics");
        var counter = meter.CreateCounter<long>("metallb_test_scrapes_total");
        using var exporter = new PrometheusExporter(meter);
        exporter.Start();
        counter.Add(3, new KeyValuePair<string, object?>("pool", "office"));
        var urls = await _server.StartAsync("127.0.0.1:0", "", exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(urls[0], "/metrics"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        // The process_* series come with every exporter (ProcessMetricsTests); this one is the meter's own.
        Assert.Contains("# TYPE metallb_test_scrapes_total counter\nmetallb_test_scrapes_total{pool=\"office\"} 3\n", text, StringComparison.Ordinal);
        Assert.Equal(["metallb_test_scrapes_total"], text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("process_", StringComparison.Ordinal)).Select(l => l.Split('{', ' ')[0]));
    }

    [Fact]
    public async Task Health_and_readiness_answer_GET_and_HEAD_with_the_same_headers_and_HEAD_without_the_body()
    {
        var health = await StartHealthAsync();
        _failure = "membership loop has not run for 301 ms (window 300 ms)";

        var get = await RawHttp.ExchangeAsync(health, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await RawHttp.ExchangeAsync(health, "HEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        var ready = await RawHttp.ExchangeAsync(health, "HEAD /readyz HTTP/1.0\r\n\r\n");

        const string Headers = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 54\r\nConnection: close\r\n\r\n";
        Assert.Equal(Headers + _failure, RawHttp.WithoutDate(get));
        Assert.Equal(Headers, RawHttp.WithoutDate(head));
        Assert.Equal("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\n", RawHttp.WithoutDate(ready));
        Assert.Contains("\r\nDate: Wed, 02 Jan 2030 03:04:05 GMT\r\n", get, StringComparison.Ordinal);

        _ready = true;
        Assert.EndsWith("\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", await RawHttp.ExchangeAsync(health, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 404 Not Found")]
    [InlineData("DELETE /readyz HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 405 Method Not Allowed")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    [InlineData("GET /healthz HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported")]
    public async Task Other_requests_are_refused_with_their_status(string request, string statusLine)
    {
        var health = await StartHealthAsync();

        var response = await RawHttp.ExchangeAsync(health, request);

        Assert.StartsWith(statusLine + "\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_POST_with_a_body_gets_405_with_Allow_intact()
    {
        // The body is never read; the server discards it after answering, so closing does not reset the answer away.
        var health = await StartHealthAsync();
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(health, "/healthz"), new ByteArrayContent(new byte[100_000]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_head_longer_than_the_limit_gets_431()
    {
        var health = await StartHealthAsync();

        var response = await RawHttp.ExchangeAsync(health, "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: " + new string('a', _limits.HeadBytes) + "\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_that_throws_is_a_500_and_the_listener_serves_on()
    {
        var health = await StartHealthAsync(alive: () => throw new InvalidOperationException("broken check"));

        Assert.StartsWith("HTTP/1.1 500 Internal Server Error\r\n", await RawHttp.ExchangeAsync(health, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 503 ", await RawHttp.ExchangeAsync(health, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_sends_nothing_is_closed_at_the_head_deadline()
    {
        var health = await StartHealthAsync();
        using var silent = await RawHttp.ConnectAsync(health);
        await Eventually.WaitForAsync(() => _server.OpenConnections == 1, "the server to take the connection");
        var closed = RawHttp.ReadToEndAsync(silent);

        _time.Advance(_limits.HeadTimeout - TimeSpan.FromTicks(1));
        Assert.False(closed.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal("", await closed);
        await Eventually.WaitForAsync(() => _server.OpenConnections == 0, "the connection to be released");
    }

    [Fact]
    public async Task A_trickling_client_is_closed_at_the_same_deadline()
    {
        var health = await StartHealthAsync();
        using var slow = await RawHttp.ConnectAsync(health);
        await Eventually.WaitForAsync(() => _server.OpenConnections == 1, "the server to take the connection");
        await slow.SendAsync("GET /healthz HTTP/1.1\r\n"u8.ToArray());
        _time.Advance(_limits.HeadTimeout / 2);
        await slow.SendAsync("Host: a\r\n"u8.ToArray());
        var closed = RawHttp.ReadToEndAsync(slow);

        _time.Advance(_limits.HeadTimeout / 2);

        // Closed with the second line perhaps still unread by the server, which makes the kernel reset instead.
        Assert.True(await RawHttp.ClosedAsync(closed));
    }

    [Fact]
    public async Task A_connection_beyond_the_limit_closes_the_one_idle_longest_and_is_served()
    {
        await using var server = new MonitoringServer(_limits with { MaxConnections = 2 });
        var urls = await server.StartAsync("", "127.0.0.1:0", _exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        using var oldest = await RawHttp.ConnectAsync(urls[0]);
        await Eventually.WaitForAsync(() => server.OpenConnections == 1, "the first connection taken");
        using var newer = await RawHttp.ConnectAsync(urls[0]);
        await Eventually.WaitForAsync(() => server.OpenConnections == 2, "both slots taken");

        // No time passes: the probe gets its answer at once, at the cost of the connection silent for longest.
        var probe = await RawHttp.ExchangeAsync(urls[0], "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", probe, StringComparison.Ordinal);
        Assert.True(await RawHttp.ClosedAsync(RawHttp.ReadToEndAsync(oldest)));
        await Eventually.WaitForAsync(() => server.OpenConnections == 1, "only the newer silent connection left");
    }

    [Fact]
    public async Task A_flood_of_silent_connections_never_holds_more_than_the_limit_and_the_probe_still_gets_through()
    {
        await using var server = new MonitoringServer(_limits with { MaxConnections = 4 });
        var urls = await server.StartAsync("", "127.0.0.1:0", _exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        var flood = new List<System.Net.Sockets.Socket>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                flood.Add(await RawHttp.ConnectAsync(urls[0]));
                Assert.InRange(server.OpenConnections, 0, 4);
            }

            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RawHttp.ExchangeAsync(urls[0], "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"), StringComparison.Ordinal);
            Assert.InRange(server.OpenConnections, 0, 4);
        }
        finally
        {
            flood.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Every_interface_means_IPv6_and_IPv4_on_one_socket()
    {
        var urls = await _server.StartAsync(":0", "", _exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);
        var port = urls[0].Port;

        Assert.Equal(new Uri($"http://127.0.0.1:{port}"), urls[0]);
        using (var v4 = await RawHttp.ConnectAsync(IPAddress.Loopback, port))
        {
            await v4.SendAsync("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RawHttp.ReadToEndAsync(v4), StringComparison.Ordinal);
        }

        using var v6 = await RawHttp.ConnectAsync(IPAddress.IPv6Loopback, port);
        await v6.SendAsync("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RawHttp.ReadToEndAsync(v6), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IPv6_address_is_served_and_reported_in_brackets()
    {
        var urls = await _server.StartAsync("[::1]:0", "", _exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken);

        Assert.Equal("[::1]", urls[0].Host);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RawHttp.ExchangeAsync(urls[0], "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_with_an_IOException_naming_the_address()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var address = $"127.0.0.1:{((IPEndPoint)taken.LocalEndPoint!).Port}";

        var error = await Assert.ThrowsAsync<IOException>(() => _server.StartAsync(address, "", _exporter, () => true, NullLoggerFactory.Instance, TestContext.Current.CancellationToken));

        Assert.Contains($"http://{address}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_ends_open_connections_without_waiting_for_their_deadline()
    {
        var health = await StartHealthAsync();
        using var silent = await RawHttp.ConnectAsync(health);
        await Eventually.WaitForAsync(() => _server.OpenConnections == 1, "the server to take the connection");

        await _server.DisposeAsync();

        Assert.Equal("", await RawHttp.ReadToEndAsync(silent));
        await Assert.ThrowsAnyAsync<SocketException>(() => RawHttp.ConnectAsync(health));
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _exporter.Dispose();
    }

    private async Task<Uri> StartHealthAsync(Func<string?>? alive = null)
    {
        var urls = await _server.StartAsync("", "127.0.0.1:0", _exporter, () => _ready, NullLoggerFactory.Instance, TestContext.Current.CancellationToken, alive ?? (() => _failure));
        return urls[0];
    }
}
