using IronLb.Bench;

// One console program for every benchmark: `dotnet run -c Release --project bench/IronLb.Bench -- <name>`.
// Each prints `key: value` lines (medians, p99s, ratios) that docs/performance.md records.
var benchmarks = new SortedDictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    ["allocation"] = AllocationBench.RunAsync,
    ["controller"] = ControllerBench.RunAsync,
    // Drives ironlb-lab: network namespaces, so Linux only.
    ["failover"] = args => OperatingSystem.IsLinux() ? FailoverBench.RunAsync(args) : Task.FromResult(2),
    ["kubesim"] = KubeSimBench.RunAsync,
    ["l2-latency"] = L2Latency.L2LatencyBench.RunAsync,
    ["plan"] = PlanBench.RunAsync,
    // Drives ironlb-lab, reads /proc: Linux only.
    ["speaker-memory"] = args => OperatingSystem.IsLinux() ? SpeakerMemoryBench.RunAsync(args) : Task.FromResult(2),
    ["speaker-steady"] = SpeakerSteadyBench.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: IronLb.Bench <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}

return await run(args[1..]).ConfigureAwait(false);
