using System.Diagnostics;
using k8s;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// The `ironlb controller` binary itself, per way of publishing it:
/// `controller-process [SERVICES] [--runs N] [--settle DURATION] [--ironlb [LABEL=]PATH]...`.
/// Per run and variant, a fresh KubeSim process holds SERVICES (default 10,000) LoadBalancer Services without
/// status over 50 pools (<see cref="ControllerCluster"/>). Cold start: the controller process
/// (<see cref="ControllerProcess"/>) is started and timed until /readyz answers, which it does once every
/// Service's address is written (checked against a list); after the settle time its CPU over that time and its
/// memory (smaps_rollup) are read. Restart: it is stopped (SIGTERM) and started again on the same cluster, every
/// Service already assigned, and timed to ready; its memory is read again after the settle time. Each run
/// measures every variant in turn; medians over the runs are printed with the label as prefix, and ratios against
/// the first variant.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ControllerProcessBench
{
    private static readonly string[] RatioKeys = ["cold_ready_s", "restart_ready_s", "cold_rss_mb", "restart_rss_mb", "cold_peak_rss_mb"];

    public static async Task<int> RunAsync(string[] args)
    {
        var services = 10_000;
        var runs = 3;
        var settle = TimeSpan.FromSeconds(30);
        var variants = new List<IronLbVariant>();
        var usable = BenchArguments.TryApply("controller-process", args, new Dictionary<string, Func<string, bool>>(StringComparer.Ordinal)
        {
            ["--ironlb"] = IronLbVariant.Into(variants),
            ["--runs"] = v => BenchArguments.TryCount(v, out runs),
            ["--settle"] = v => BenchArguments.TryDuration(v, out settle, positive: true),
        }, v => BenchArguments.TryCount(v, out services));
        if (!usable)
        {
            return 2;
        }

        if (variants.Count == 0)
        {
            variants.Add(IronLbVariant.Default());
        }

        Print("services", services);
        Print("runs", runs);
        Print("settle_s", settle.TotalSeconds);
        Print("load_average_start", ProcessFootprint.LoadAverage());
        var results = variants.ToDictionary(v => v.Label, _ => new OrderedDictionary<string, List<double>>(StringComparer.Ordinal));
        for (var run = 1; run <= runs; run++)
        {
            foreach (var variant in variants)
            {
                // One variant that fails (a binary that crashes, a timeout) must not cost the others' figures.
                OrderedDictionary<string, double> figures;
                try
                {
                    figures = await OnceAsync(variant, services, settle);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
                {
                    Print($"{variant.Label}_run_{run}_failed", 1);
                    Console.Error.WriteLine($"controller-process: {variant.Label}, run {run}: {e.Message}");
                    continue;
                }

                foreach (var (key, value) in figures)
                {
                    (results[variant.Label].TryGetValue(key, out var list) ? list : results[variant.Label][key] = []).Add(value);
                    if (key.EndsWith("_s", StringComparison.Ordinal))
                    {
                        Print($"{variant.Label}_run_{run}_{key}", value);
                    }
                }
            }
        }

        var baseline = variants[0].Label;
        foreach (var variant in variants)
        {
            var label = variant.Label;
            Print($"{label}_app_files_mb", MappedFiles.Megabytes(AppFiles.Of(variant.Command[^1])));
            foreach (var (key, values) in results[label])
            {
                Print($"{label}_{key}", Median(values));
            }

            if (label != baseline)
            {
                foreach (var key in RatioKeys.Where(k => results[label].ContainsKey(k) && results[baseline].ContainsKey(k)))
                {
                    Print($"{label}_{key}_ratio_to_{baseline}", Median(results[label][key]) / Median(results[baseline][key]));
                }
            }
        }

        Print("load_average_end", ProcessFootprint.LoadAverage());
        return 0;
    }

    /// <summary>One cold start and one restart of a variant on a fresh cluster: times, CPU and memory (cold_rss_mb, restart_rss_mb, …) by key.</summary>
    private static async Task<OrderedDictionary<string, double>> OnceAsync(IronLbVariant variant, int services, TimeSpan settle)
    {
        var figures = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        await using var api = await ApiServerProcess.StartAsync();
        using var setup = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.Kubeconfig));
        await ControllerCluster.SetUpAsync(setup, api.Kubeconfig);
        await ControllerCluster.CreateServicesAsync(setup, 0, services);

        var ironlb = variant.Command;
        var clock = Stopwatch.StartNew();
        await using (var controller = ControllerProcess.Start(ironlb, api.Kubeconfig))
        {
            await controller.WaitReadyAsync();
            figures["cold_ready_s"] = clock.Elapsed.TotalSeconds;
            figures["cold_cpu_s"] = ProcessFootprint.CpuSeconds(controller.Id);
            var assigned = await ControllerCluster.AssignedAsync(setup);
            if (assigned != services)
            {
                throw new InvalidOperationException($"{variant.Label}: ready with {assigned} of {services} Services assigned");
            }

            await SettleAsync(figures, "cold", controller.Id, settle);
        }

        clock.Restart();
        await using (var controller = ControllerProcess.Start(ironlb, api.Kubeconfig))
        {
            await controller.WaitReadyAsync();
            figures["restart_ready_s"] = clock.Elapsed.TotalSeconds;
            figures["restart_cpu_s"] = ProcessFootprint.CpuSeconds(controller.Id);
            await SettleAsync(figures, "restart", controller.Id, settle);
        }

        return figures;
    }

    /// <summary>The settle time's CPU, then the peak and present memory, as `{phase}_…` figures.</summary>
    private static async Task SettleAsync(OrderedDictionary<string, double> figures, string phase, int pid, TimeSpan settle)
    {
        figures[$"{phase}_steady_cpu_ms_per_min"] = (await ProcessFootprint.CpuMillisecondsPerMinuteAsync([pid], settle))[0];
        figures[$"{phase}_peak_rss_mb"] = ProcessFootprint.PeakRssMb(pid);
        foreach (var (key, value) in ProcessFootprint.Memory(pid))
        {
            figures[$"{phase}_{key}"] = value;
        }
    }
}
