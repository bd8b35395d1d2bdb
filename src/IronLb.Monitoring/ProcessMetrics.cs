using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IronLb.Monitoring;

/// <summary>
/// The process_* series that Prometheus' Go client exports from every MetalLB component (its process collector),
/// under the same names, so the dashboards and alerts users keep for MetalLB's memory, CPU and file descriptors
/// read IronLB as they read MetalLB. Observed at scrape time only: nothing runs between scrapes.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    private const string FdFolder = "/proc/self/fd";

    private readonly double _startTimeSeconds;

    private ProcessMetrics(double startTimeSeconds)
    {
        _startTimeSeconds = startTimeSeconds;
        Meter = new Meter("IronLb.Process");
        Meter.CreateObservableCounter("process_cpu_seconds_total", () => Environment.CpuUsage.TotalTime.TotalSeconds, description: "Total user and system CPU time spent in seconds.");
        Meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "Resident memory size in bytes.");
        Meter.CreateObservableGauge("process_virtual_memory_bytes", VirtualMemoryBytes, description: "Virtual memory size in bytes.");
        Meter.CreateObservableGauge("process_start_time_seconds", () => _startTimeSeconds, description: "Start time of the process since the Unix epoch in seconds.");
        if (OperatingSystem.IsLinux())
        {
            Meter.CreateObservableGauge("process_open_fds", OpenFds, description: "Number of open file descriptors.");
        }
    }

    public Meter Meter { get; }

    /// <summary>Reads the process's start time once; the series are observed at each scrape.</summary>
    public static ProcessMetrics Create()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessMetrics((self.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
    }

    private static long VirtualMemoryBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.VirtualMemorySize64;
    }

    // Counting /proc/self/fd's entries is what the Go client does; a folder that cannot be read reports nothing.
    private static IEnumerable<Measurement<long>> OpenFds()
    {
        long count;
        try
        {
            count = Directory.EnumerateFileSystemEntries(FdFolder).LongCount();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return [new Measurement<long>(count)];
    }

    public void Dispose() => Meter.Dispose();
}
