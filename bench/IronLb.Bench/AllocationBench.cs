using System.Diagnostics;
using System.Globalization;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// Allocates 100,000 Services one after the other from a /64 and from a /15 and compares the time of
/// the last 1,000 allocations with the first 1,000: flat means the ratio stays near 1. A MetalLB-style
/// linear scan (first address upwards, hash lookup per address) runs beside it as the baseline, on
/// fewer services because it is quadratic.
/// </summary>
internal static class AllocationBench
{
    private const int Window = 1_000;
    private const int Runs = 5;

    public static Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var baselineCount = Math.Min(count, 20_000);

        // Warm the JIT on a small run so the first window measures steady state.
        Measure("2001:db8::/64", 2 * Window);

        foreach (var (family, prefix) in new[] { ("v6", "2001:db8::/64"), ("v4", "10.0.0.0/15") })
        {
            // Windows of 1,000 allocations last a few milliseconds, so one GC pause can double one of them:
            // report the median over several runs.
            var runs = Enumerable.Range(0, Runs).Select(_ => Measure(prefix, count)).ToList();
            Print($"allocation_first_{Window}_ms_{family}", Median(runs.Select(r => r.FirstMs)));
            Print($"allocation_last_{Window}_ms_{family}", Median(runs.Select(r => r.LastMs)));
            Print($"allocation_growth_ratio_{family}", Median(runs.Select(r => r.LastMs / r.FirstMs)));
            Print($"allocation_growth_ratio_max_{family}", runs.Max(r => r.LastMs / r.FirstMs));
            Print($"allocations_per_second_{family}", Median(runs.Select(r => count / r.TotalSeconds)));

            var (baseFirst, baseLast, baseTotal) = MeasureLinearScan(prefix, baselineCount);
            Print($"baseline_linear_scan_growth_ratio_{family}_{baselineCount}", baseLast / baseFirst);
            Print($"baseline_linear_scan_allocations_per_second_{family}_{baselineCount}", baselineCount / baseTotal);
        }

        return Task.FromResult(0);
    }

    private static (double FirstMs, double LastMs, double TotalSeconds) Measure(string prefix, int count)
    {
        var pool = new AddressPool { Name = "bench", Cidrs = [Parse(prefix)] };
        var allocator = new Allocator();
        allocator.SetPools(new LoadBalancerConfig([pool]));
        var family = pool.Cidrs[0].Family.ToServiceFamily();

        var total = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        double first = 0, last = 0;
        for (var i = 0; i < count; i++)
        {
            if (i == Window)
            {
                first = window.Elapsed.TotalMilliseconds;
            }

            if (i == count - Window)
            {
                window.Restart();
            }

            var request = new AllocationRequest { Key = new ServiceKey("bench", "svc-" + i.ToString(CultureInfo.InvariantCulture)) };
            var result = allocator.Allocate(request, family, IpFamilyPolicy.SingleStack, IpFamily.IPv4);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"allocation {i} failed: {result.Error}");
            }
        }

        last = window.Elapsed.TotalMilliseconds;
        return (first, last, total.Elapsed.TotalSeconds);
    }

    // MetalLB's getIPFromCIDR: walk from the first address, skipping every used one.
    private static (double FirstMs, double LastMs, double TotalSeconds) MeasureLinearScan(string prefix, int count)
    {
        var cidr = Parse(prefix);
        var used = new HashSet<UInt128>();
        var total = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        double first = 0;
        for (var i = 0; i < count; i++)
        {
            if (i == Window)
            {
                first = window.Elapsed.TotalMilliseconds;
            }

            if (i == count - Window)
            {
                window.Restart();
            }

            var candidate = cidr.First.Value;
            while (used.Contains(candidate))
            {
                candidate++;
            }

            used.Add(candidate);
        }

        return (first, window.Elapsed.TotalMilliseconds, total.Elapsed.TotalSeconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static Cidr Parse(string text) =>
        Cidr.TryParse(text, out var cidr) ? cidr : throw new FormatException(text);

}
