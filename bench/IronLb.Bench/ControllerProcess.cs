using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IronLb.Testing;

namespace IronLb.Bench;

/// <summary>
/// `ironlb controller --kubeconfig` as its own process, the binary under test, with its metrics and health
/// endpoints on free loopback ports: ready is its own /readyz, which answers 200 once the start-up replay has
/// written every Service's result (no leader election, so nothing else decides readiness).
/// </summary>
internal sealed class ControllerProcess : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly Uri _ready;

    private ControllerProcess(Process process, int healthPort)
    {
        _process = process;
        _ready = new Uri($"http://127.0.0.1:{healthPort}/readyz");
    }

    public int Id => _process.Id;

    /// <summary>Starts it now: the caller's clock should start just before this.</summary>
    public static ControllerProcess Start(ImmutableArray<string> ironlb, string kubeconfig)
    {
        var (metrics, health) = (FreePort(), FreePort());
        var start = ProcessRunner.StartInfo(ironlb[0], [.. ironlb.Skip(1), "controller", "--kubeconfig", kubeconfig, "--log-level=info",
            $"--metrics-address=127.0.0.1:{metrics}", $"--health-address=127.0.0.1:{health}"]);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ironlb controller");
        // Its log is read and dropped: a full pipe would stall it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ControllerProcess(process, health);
    }

    /// <summary>Polls /readyz every 10 ms until it answers 200; throws if the process exits first.</summary>
    public async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(_ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (_process.HasExited || clock.Elapsed > Limit)
            {
                throw new InvalidOperationException($"ironlb controller not ready (exited: {_process.HasExited})");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>SIGTERM, as the kubelet stops a pod; SIGKILL if it has not exited within 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        await Termination.TerminateAsync(_process, TimeSpan.FromSeconds(30));
        _process.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
