using System.Diagnostics;
using System.Globalization;
using System.Text;
using IronLb.Cli;
using IronLb.Core.Planning;
using IronLb.Manifests;
using static IronLb.Bench.BenchSupport;

namespace IronLb.Bench;

/// <summary>
/// `plan` over generated GitOps trees: 100 auto-assign pools (one per namespace, through
/// serviceAllocation.namespaces), 10 nodes and 5,000 or 50,000 dual-stack Services without addresses.
/// It times the whole command in-process (read the files, validate, converge, elect, render the table),
/// and Core's ClusterPlanner.Plan alone. The growth ratio must stay at or under 12 for 10× the input.
/// </summary>
internal static class PlanBench
{
    private const int Pools = 100;
    private const int Nodes = 10;

    public static Task<int> RunAsync(string[] args)
    {
        var root = Path.Combine(Path.GetTempPath(), "ironlb-planbench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            // Warm up the JIT on a small tree so the first measured size does not pay for it.
            Measure(Generate(Path.Combine(root, "warmup"), 500), runs: 2);

            var small = Measure(Generate(Path.Combine(root, "5k"), 5_000), runs: 7);
            var large = Measure(Generate(Path.Combine(root, "50k"), 50_000), runs: 5);

            Print("plan_ms_5k", small.CommandMs);
            Print("plan_ms_50k", large.CommandMs);
            Print("plan_growth_ratio", large.CommandMs / small.CommandMs);
            Print("plan_read_ms_5k", small.ReadMs);
            Print("plan_read_ms_50k", large.ReadMs);
            Print("plan_core_ms_5k", small.CoreMs);
            Print("plan_core_ms_50k", large.CoreMs);
            Print("plan_core_growth_ratio", large.CoreMs / small.CoreMs);
            Print("peak_working_set_mb", Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0);
            return Task.FromResult(large.CommandMs / small.CommandMs <= 12 ? 0 : 1);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private sealed record Timing(double CommandMs, double ReadMs, double CoreMs);

    /// <summary>Medians over <paramref name="runs"/> runs of the whole command and of Core's planner.</summary>
    private static Timing Measure(string tree, int runs)
    {
        var command = new List<double>();
        var reading = new List<double>();
        var core = new List<double>();
        var read = ManifestReader.Read([tree]);
        var input = new PlanInput { Resources = read.Resources, Services = read.Services, Endpoints = read.Endpoints };
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            var exit = IronLbCli.Run(["plan", tree], TextWriter.Null, TextWriter.Null);
            command.Add(watch.Elapsed.TotalMilliseconds);
            if (exit != 0)
            {
                throw new InvalidOperationException($"plan exited {exit} on the generated tree {tree}");
            }

            GC.Collect();
            watch.Restart();
            _ = ManifestReader.Read([tree]);
            reading.Add(watch.Elapsed.TotalMilliseconds);

            GC.Collect();
            watch.Restart();
            var result = ClusterPlanner.Plan(input);
            core.Add(watch.Elapsed.TotalMilliseconds);
            if (result.Services.Length != read.Services.Length || result.Services.Any(s => s.Ips.Length != 2))
            {
                throw new InvalidOperationException("not every generated Service got two addresses");
            }
        }

        return new Timing(Median(command), Median(reading), Median(core));
    }

    /// <summary>Writes the tree: one pools file, one nodes file, one Services file per namespace.</summary>
    private static string Generate(string folder, int services)
    {
        Directory.CreateDirectory(folder);
        var text = new StringBuilder();
        for (var p = 0; p < Pools; p++)
        {
            // 10.p.0.0/16 and a /112 per pool: room for every Service of its namespace, both families.
            text.Append(CultureInfo.InvariantCulture, $"""
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata: {"{"}name: pool-{p:D3}, namespace: metallb-system{"}"}
                spec:
                  addresses: [10.{p}.0.0/16, "fd00:{p:x}::/112"]
                  serviceAllocation: {"{"}namespaces: [ns-{p:D3}]{"}"}
                ---

                """);
        }

        text.Append("apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: all, namespace: metallb-system}\n");
        File.WriteAllText(Path.Combine(folder, "pools.yaml"), text.ToString());

        text.Clear();
        for (var n = 0; n < Nodes; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"---\napiVersion: v1\nkind: Node\nmetadata: {{name: node-{n:D2}}}\n");
        }

        File.WriteAllText(Path.Combine(folder, "nodes.yaml"), text.ToString());

        for (var p = 0; p < Pools; p++)
        {
            text.Clear();
            for (var s = p; s < services; s += Pools)
            {
                text.Append(CultureInfo.InvariantCulture, $"""
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {"{"}name: svc-{s:D5}, namespace: ns-{p:D3}{"}"}
                    spec:
                      type: LoadBalancer
                      ipFamilyPolicy: RequireDualStack
                      selector: {"{"}app: svc-{s:D5}{"}"}
                      ports: [{"{"}port: 443{"}"}]

                    """);
            }

            File.WriteAllText(Path.Combine(folder, $"ns-{p:D3}.yaml"), text.ToString());
        }

        return folder;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

}
