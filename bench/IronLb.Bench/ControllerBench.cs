using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IronLb.Controller;
using IronLb.Kubernetes.Client;
using k8s;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// The controller against KubeSim (a separate process, so this process's memory is the controller's and the
/// client's): 10,000 LoadBalancer Services over 50 pools (<see cref="ControllerCluster"/>) are allocated by a first
/// controller, which is then stopped; a second controller starts on the same cluster and must become ready without
/// writing anything.
/// Then 1,000 new Services arrive and the figures are time to all assigned and requests per Service.
/// </summary>
internal static class ControllerBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var added = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;

        await using var api = await ApiServerProcess.StartAsync();
        using var setup = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        await ControllerCluster.SetUpAsync(setup, api.Kubeconfig);

        var create = Stopwatch.StartNew();
        await ControllerCluster.CreateServicesAsync(setup, 0, services);
        Print("setup_create_services_s", create.Elapsed.TotalSeconds);

        // A first controller gives every Service its address, as a cluster that has run for a while.
        var first = Stopwatch.StartNew();
        await using (var warm = await RunningController.StartAsync(api.Kubeconfig, null))
        {
            await warm.WaitReadyAsync();
            Print("first_controller_assign_all_s", first.Elapsed.TotalSeconds);

            // Let it finish the pool status writes that follow the pass, as a long-running controller has.
            await WaitPoolStatusAsync(setup, services);
        }

        GC.Collect();
        var counter = new RequestCounter();
        var ready = Stopwatch.StartNew();
        await using var controller = await RunningController.StartAsync(api.Kubeconfig, counter);
        await controller.WaitReadyAsync();
        var readySeconds = ready.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(2)); // let any write that would follow readiness show up
        Print("restart_time_to_ready_s", readySeconds);
        Print("restart_requests_total", counter.Total);
        Print("restart_writes", counter.Writes);
        foreach (var method in new[] { "POST", "PUT", "PATCH", "DELETE" })
        {
            Print($"restart_writes_{method.ToLowerInvariant()}", counter.Count(method));
        }

        Print("restart_managed_heap_mb", GC.GetTotalMemory(forceFullCollection: true) / 1048576.0);
        Print("process_peak_working_set_mb", Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0);

        foreach (var path in counter.WritePaths.Distinct().Take(5))
        {
            Console.Error.WriteLine("restart write: " + path);
        }

        counter.Reset();
        var burst = Stopwatch.StartNew();
        await ControllerCluster.CreateServicesAsync(setup, services, added);
        await ControllerCluster.WaitAllAssignedAsync(setup, services + added);
        Print("new_services", added);
        Print("new_services_time_to_all_assigned_s", burst.Elapsed.TotalSeconds);
        Print("new_services_status_writes_per_service", counter.Count("PUT") / (double)added);
        Print("new_services_requests_per_service", counter.Total / (double)added);
        Print("new_services_conflicts", counter.Conflicts);
        Print("new_services_event_posts", counter.Count("POST"));
        return 0;
    }

    private static async Task WaitPoolStatusAsync(k8s.Kubernetes client, int assigned)
    {
        while (true)
        {
            var pools = JsonDocument.Parse(JsonSerializer.Serialize(await client.CustomObjects.ListNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools")));
            var sum = pools.RootElement.GetProperty("items").EnumerateArray()
                .Sum(p => p.TryGetProperty("status", out var st) && st.TryGetProperty("assignedIPv4", out var a) ? a.GetInt64() : 0);
            if (sum >= assigned)
            {
                return;
            }

            await Task.Delay(200);
        }
    }



    private sealed class RunningController : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly KubeConnection _connection;
        private readonly ControllerMetrics _metrics = new();
        private readonly LoadBalancerController _controller;
        private readonly Task _run;

        private RunningController(KubeConnection connection)
        {
            _connection = connection;
            _controller = new LoadBalancerController(connection, new ControllerOptions(), _metrics, TimeProvider.System, IronLb.Monitoring.Logging.CreateFactory(Microsoft.Extensions.Logging.LogLevel.Error));
            _run = Task.Run(() => _controller.RunAsync(_stop.Token));
        }

        public static Task<RunningController> StartAsync(string kubeconfig, DelegatingHandler? counter) =>
            Task.FromResult(new RunningController(counter is null ? KubeConnection.Create(kubeconfig) : KubeConnection.Create(kubeconfig, counter)));

        public async Task WaitReadyAsync()
        {
            while (!_controller.Ready)
            {
                if (_run.IsFaulted)
                {
                    await _run;
                }

                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
            }

            _controller.Dispose();
            _metrics.Dispose();
            _connection.Dispose();
            _stop.Dispose();
        }
    }
}
