using System.Diagnostics;
using System.Globalization;
using IronLb.CommandLine;
using IronLb.Lab.Processes;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>
/// What one `ironlb speaker` costs in memory, per way of publishing `ironlb` (root). For each
/// `--ironlb [LABEL=]PATH` (an apphost, an ironlb.dll or their folder; default: the lab's own choice, the
/// repository's build) the same lab is brought up (`ironlb-lab up --ironlb PATH`: KubeSim, the controller and a
/// speaker per node, returning once every Service is announced), left alone for the settle time, and each
/// speaker's /proc/PID/smaps_rollup read; the medians over the speakers are printed with the label as prefix.
/// Besides memory: the files the variant ships (<see cref="AppFiles"/>: apphost alone is not the program) and
/// the files a running speaker has mapped (<see cref="MappedFiles"/>: that plus the runtime it loaded).
/// The lab is brought down on every exit path, one variant at a time, so the variants never share a machine.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SpeakerMemoryBench
{
    /// <summary>smaps_rollup fields (kB) printed as MB, and the key each gets.</summary>
    private static readonly (string Field, string Key)[] Fields =
    [
        ("Rss", "rss_mb"),
        ("Pss", "pss_mb"),
        ("Shared_Clean", "shared_clean_mb"),
        ("Private_Clean", "private_clean_mb"),
        ("Private_Dirty", "private_dirty_mb"),
        ("Anonymous", "anonymous_mb"),
    ];

    /// <summary>USER_HZ: /proc/PID/stat counts CPU time in these ticks on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var settle = TimeSpan.FromSeconds(30);
        var nodes = 4;
        var variants = new List<(string Label, string? Path)>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--settle" when Duration.TryParse(value, out var duration):
                    settle = duration.TimeSpan;
                    break;
                case "--nodes" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0:
                    nodes = count;
                    break;
                case "--ironlb" when value is not null:
                    var eq = value.IndexOf('=', StringComparison.Ordinal);
                    variants.Add(eq > 0 ? (value[..eq], value[(eq + 1)..]) : ($"v{variants.Count + 1}", value));
                    break;
                default:
                    await Console.Error.WriteLineAsync($"speaker-memory: cannot use {args[i]} {value} (see speaker-memory --help)");
                    return 2;
            }

            i++;
        }

        if (variants.Count == 0)
        {
            variants.Add(("build", null));
        }

        Print("nodes", nodes);
        Print("settle_s", settle.TotalSeconds);
        for (var v = 0; v < variants.Count; v++)
        {
            await MeasureAsync($"sm{Environment.ProcessId % 1000}v{v}", variants[v].Label, variants[v].Path, nodes, settle);
        }

        return 0;
    }

    private static async Task MeasureAsync(string name, string label, string? path, int nodes, TimeSpan settle)
    {
        var ironlb = Executables.FindIronLb(path, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}");
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
            await Task.Delay(settle);

            var pids = (await StatusAsync(name)).Nodes
                .Select(n => n.SpeakerPid ?? throw new InvalidOperationException($"{n.Name}'s speaker is not running")).ToList();
            var rollups = pids.Select(p => Kilobytes($"/proc/{p}/smaps_rollup")).ToList();
            foreach (var (field, key) in Fields)
            {
                Print($"{label}_{key}", Median(rollups.Select(r => r[field] / 1024.0)));
            }

            var mapped = pids.Select(MappedFiles.Of).ToList();
            Print($"{label}_mapped_files_mb", Median(mapped.Select(MappedFiles.Megabytes)));
            Print($"{label}_mapped_files", Median(mapped.Select(m => (double)m.Count)));

            // CPU since the speaker started: start-up (runtime, JIT) plus the settle time's steady work.
            Print($"{label}_cpu_s", Median(pids.Select(CpuSeconds)));
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

    /// <summary>utime + stime of /proc/PID/stat (fields 14 and 15; counted after the comm's closing parenthesis, which may hold spaces).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
