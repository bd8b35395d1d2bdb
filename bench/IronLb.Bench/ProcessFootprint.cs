using System.Globalization;
using static IronLb.Bench.BenchSupport;
using static IronLb.Bench.LabDriver;

namespace IronLb.Bench;

/// <summary>What a running process costs, from /proc: its memory (smaps_rollup) and the CPU time it has used.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ProcessFootprint
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

    /// <summary>`{prefix}_rss_mb` and the other smaps_rollup fields: the median over <paramref name="pids"/>.</summary>
    public static void PrintMemory(string prefix, IReadOnlyList<int> pids) => PrintMedians(prefix, pids.Select(Memory).ToList());

    /// <summary>`{prefix}_KEY: median` for every key of <paramref name="readings"/> (each a <see cref="Memory"/>), in their order.</summary>
    public static void PrintMedians(string prefix, IReadOnlyList<IReadOnlyDictionary<string, double>> readings)
    {
        foreach (var key in readings[0].Keys)
        {
            Print($"{prefix}_{key}", Median(readings.Select(r => r[key])));
        }
    }

    /// <summary>The smaps_rollup fields in MB, by output key (rss_mb, pss_mb, …), in a fixed order.</summary>
    public static IReadOnlyDictionary<string, double> Memory(int pid)
    {
        var rollup = Kilobytes($"/proc/{pid}/smaps_rollup");
        return new OrderedDictionary<string, double>(Fields.Select(f => KeyValuePair.Create(f.Key, rollup[f.Field] / 1024.0)));
    }

    /// <summary>The most it was ever resident (VmHWM), in MB.</summary>
    public static double PeakRssMb(int pid) => Kilobytes($"/proc/{pid}/status")["VmHWM"] / 1024.0;

    /// <summary>utime + stime: all the CPU time the process has used, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var (user, system) = CpuSplit(pid);
        return user + system;
    }

    /// <summary>utime and stime of /proc/PID/stat in seconds (fields 14 and 15; counted after the comm's closing parenthesis, which may hold spaces).</summary>
    public static (double User, double System) CpuSplit(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond, long.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond);
    }

    /// <summary>
    /// CPU each process uses over the next <paramref name="window"/>, in milliseconds per minute of wall time
    /// (600 ms/min is 1% of one core). Ticks are 10 ms, so over a minute the figure is exact to 10 ms/min.
    /// </summary>
    public static async Task<List<double>> CpuMillisecondsPerMinuteAsync(IReadOnlyList<int> pids, TimeSpan window)
    {
        var before = pids.Select(CpuSeconds).ToList();
        await Task.Delay(window);
        return [.. pids.Select((p, i) => (CpuSeconds(p) - before[i]) * 1000 / window.TotalMinutes)];
    }

    /// <summary>The machine's 1-minute load average, printed beside CPU and latency figures (they depend on it; memory does not).</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
