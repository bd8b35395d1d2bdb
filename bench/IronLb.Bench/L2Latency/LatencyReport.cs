using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench.L2Latency;

/// <summary>The `key: value` lines for one protocol: sample counts, medians, p99s, the worst reply and the ratio to the kernel.</summary>
internal static class LatencyReport
{
    public static void Print(string protocol, Dictionary<string, List<double>> latencies, string kernel, string ours)
    {
        var k = latencies.GetValueOrDefault(kernel) ?? [];
        var o = latencies.GetValueOrDefault(ours) ?? [];
        Console.WriteLine($"{protocol}_samples_kernel: {k.Count}");
        Console.WriteLine($"{protocol}_samples_ironlb: {o.Count}");
        Console.WriteLine($"{protocol}_kernel_median_us: {Percentile(k, 0.50):F1}");
        Console.WriteLine($"{protocol}_kernel_p99_us: {Percentile(k, 0.99):F1}");
        Console.WriteLine($"{protocol}_ironlb_median_us: {Percentile(o, 0.50):F1}");
        Console.WriteLine($"{protocol}_ironlb_p99_us: {Percentile(o, 0.99):F1}");
        Console.WriteLine($"{protocol}_ironlb_max_us: {(o.Count == 0 ? double.NaN : o.Max()):F1}");
        Console.WriteLine($"{protocol}_median_ratio: {Percentile(o, 0.50) / Percentile(k, 0.50):F2}");
    }
}
