using System.Diagnostics;
using System.Globalization;
using IronLb.Lab.Processes;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// What one `ironlb speaker` costs, per way of publishing `ironlb` (root):
/// `speaker-memory [--settle DURATION] [--cpu-window DURATION] [--addresses N] [--nodes N] [--name NAME] [--ironlb [LABEL=]PATH]...`.
/// For each `--ironlb [LABEL=]PATH` (an apphost, an ironlb.dll, their folder or a wrapper script; default: the
/// lab's own choice, the repository's build) the same lab is brought up (`ironlb-lab up --ironlb PATH`: KubeSim,
/// the controller and a speaker per node, returning once every Service is announced), with `--addresses N` given
/// more Services until N addresses are announced (<see cref="LabAddresses"/>), left alone for the settle time, and
/// each speaker's /proc/PID/smaps_rollup read; the medians over the speakers are printed with the label as prefix.
/// The CPU each speaker used in the last `--cpu-window` of the settle time is its steady-state cost.
/// Besides memory: the files the variant ships (<see cref="AppFiles"/>: apphost alone is not the program) and
/// the files a running speaker has mapped (<see cref="MappedFiles"/>: that plus the runtime it loaded).
/// The lab is brought down on every exit path, one variant at a time, so the variants never share a machine.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SpeakerMemoryBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settle = TimeSpan.FromSeconds(30);
        var cpuWindow = TimeSpan.FromSeconds(60);
        var nodes = 4;
        var addresses = 0;
        var name = $"sm{Environment.ProcessId % 1000}";
        var variants = new List<IronLbVariant>();
        var usable = BenchArguments.TryApply("speaker-memory", args, new Dictionary<string, Func<string, bool>>(StringComparer.Ordinal)
        {
            ["--settle"] = v => BenchArguments.TryDuration(v, out settle),
            ["--cpu-window"] = v => BenchArguments.TryDuration(v, out cpuWindow, positive: true),
            ["--nodes"] = v => BenchArguments.TryCount(v, out nodes),
            ["--addresses"] = v => BenchArguments.TryCount(v, out addresses, minimum: 0),
            ["--name"] = BenchArguments.NamePrefix(v => name = v),
            ["--ironlb"] = IronLbVariant.Into(variants),
        });
        if (!usable)
        {
            return 2;
        }

        if (variants.Count == 0)
        {
            variants.Add(IronLbVariant.Default());
        }

        // The CPU window is the end of the settle time, never longer than it.
        cpuWindow = cpuWindow < settle ? cpuWindow : settle;
        Print("nodes", nodes);
        Print("settle_s", settle.TotalSeconds);
        Print("addresses", addresses);
        for (var v = 0; v < variants.Count; v++)
        {
            await MeasureAsync($"{name}v{v}", variants[v], nodes, settle, cpuWindow, addresses);
        }

        return 0;
    }

    private static async Task MeasureAsync(string name, IronLbVariant variant, int nodes, TimeSpan settle, TimeSpan cpuWindow, int addresses)
    {
        var (label, path) = (variant.Label, variant.Path);
        var ironlb = variant.Command;
        var app = AppFiles.Of(ironlb[^1]);
        Print($"{label}_app_files_mb", MappedFiles.Megabytes(app));
        Print($"{label}_app_files", app.Count);
        Print($"{label}_help_ms", await HelpMillisecondsAsync(ironlb));
        try
        {
            var up = Stopwatch.StartNew();
            string[] command = ["up", "--name", name, "--nodes", nodes.ToString(CultureInfo.InvariantCulture)];
            await LabAsync(path is null ? command : [.. command, "--ironlb", path]);
            Print($"{label}_lab_up_s", up.Elapsed.TotalSeconds);
            if (addresses > 0)
            {
                await LabAddresses.AddAsync((await StatusAsync(name)).Kubeconfig, label, addresses);
            }

            await Task.Delay(settle - cpuWindow);
            var pids = (await StatusAsync(name)).Nodes
                .Select(n => n.SpeakerPid ?? throw new InvalidOperationException($"{n.Name}'s speaker is not running")).ToList();
            var steady = cpuWindow > TimeSpan.Zero ? await ProcessFootprint.CpuMillisecondsPerMinuteAsync(pids, cpuWindow) : null;
            ProcessFootprint.PrintMemory(label, pids);

            var mapped = pids.Select(MappedFiles.Of).ToList();
            Print($"{label}_mapped_files_mb", Median(mapped.Select(MappedFiles.Megabytes)));
            Print($"{label}_mapped_files", Median(mapped.Select(m => (double)m.Count)));

            // CPU since the speaker started: start-up (runtime, JIT) plus the settle time's steady work.
            Print($"{label}_cpu_s", Median(pids.Select(ProcessFootprint.CpuSeconds)));

            // The end of the settle time alone: what a speaker costs once nothing changes (heartbeats and timers).
            if (steady is not null)
            {
                Print($"{label}_steady_cpu_window_s", cpuWindow.TotalSeconds);
                Print($"{label}_steady_cpu_ms_per_min", Median(steady));
                Print($"{label}_steady_cpu_ms_per_min_max", steady.Max());
                Print($"{label}_steady_cpu_percent", Median(steady) / 600);
            }

            Print($"{label}_load_average", ProcessFootprint.LoadAverage());
        }
        finally
        {
            await LabAsync("down", "--name", name);
        }
    }

    /// <summary>Cold-ish start-up: `ironlb speaker --help` wall time, median of five after one warm-up (page cache).</summary>
    private static async Task<double> HelpMillisecondsAsync(IReadOnlyList<string> ironlb)
    {
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var watch = Stopwatch.StartNew();
            await CommandRunner.CheckAsync(ironlb[0], [.. ironlb.Skip(1), "speaker", "--help"]);
            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return Median(times);
    }
}
