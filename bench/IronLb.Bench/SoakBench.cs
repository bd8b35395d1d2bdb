using System.Globalization;
using System.Runtime.InteropServices;
using IronLb.Chaos.Soak;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.Topology;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// The chaos soak (issue 14) on a lab of its own: `ironlb-lab up`, then <see cref="SoakRunner"/> for the given
/// minutes (random faults of the matrix, one at a time, with Service, pool and advertisement churn, the wire and
/// the API judged throughout), the report, and `down` on every exit path (Ctrl-C and SIGTERM included).
/// Exits 1 when a target is missed. The engine is tests/IronLb.Chaos, which the Lab test's 3-minute run shares.
/// </summary>
internal static class SoakBench
{
    public static readonly string[] Help =
    [
        "--minutes N   how long the faults and churn run (default 20)",
        "--seed N      the schedule's seed, to replay a run (default: random, printed)",
        "--nodes N     lab nodes, 3 or 4 (default 3)",
    ];

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = 20.0;
        var seed = Random.Shared.Next(1, 1_000_000);
        var nodes = 3;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--minutes" when double.TryParse(value, CultureInfo.InvariantCulture, out var m) && m > 0:
                    minutes = m;
                    i++;
                    break;
                case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var s):
                    seed = s;
                    i++;
                    break;
                case "--nodes" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n is 3 or 4:
                    nodes = n;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"soak: unknown or invalid option {args[i]} (see --help)");
                    return 2;
            }
        }

        var name = $"sk{Environment.ProcessId % 10000}";
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });

        Console.WriteLine($"soak: seed {seed}, {minutes} min, {nodes} nodes, lab {name}");
        try
        {
            await LabAsync("up", "--name", name, "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--wait", "300s");
            var lab = new SoakLab(Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), name, LabNames.Create(name).LanNamespace);
            var options = new SoakOptions(TimeSpan.FromMinutes(minutes), seed, Console.WriteLine) { ReplicaUid = FaultOperations.ReplicaUid };
            var report = await SoakRunner.RunAsync(lab, options, stop.Token);
            Console.WriteLine();
            Console.WriteLine(report);
            return report.Missed().Count == 0 ? 0 : 1;
        }
        finally
        {
            await CommandRunner.RunAsync("dotnet", Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll"), "down", "--name", name);
        }
    }
}
