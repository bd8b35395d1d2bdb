using System.Globalization;

namespace IronLb.Monitoring.Tests;

/// <summary>The process_* series MetalLB users' dashboards read (Prometheus' Go client names), from every exporter.</summary>
public sealed class ProcessMetricsTests
{
    [Fact]
    public void Every_exporter_serves_the_process_series_with_their_types_and_plausible_values()
    {
        using var exporter = new PrometheusExporter("IronLb.Monitoring.Tests.Nothing");
        exporter.Start();
        var lines = exporter.Render().Split('\n');

        Assert.Contains("# TYPE process_cpu_seconds_total counter", lines);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge", lines);
        Assert.True(Value(lines, "process_resident_memory_bytes") > 1_000_000, "a .NET process holds more than a megabyte");
        Assert.True(Value(lines, "process_virtual_memory_bytes") >= Value(lines, "process_resident_memory_bytes"));
        Assert.True(Value(lines, "process_cpu_seconds_total") > 0);

        // The test host started before this test, and not long before: within a day of now.
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(Value(lines, "process_start_time_seconds") * 1000));
        Assert.InRange(started, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(Value(lines, "process_open_fds") >= 3, "stdin, stdout and stderr at least");
        }
    }

    [Fact]
    public void Cpu_seconds_grow_as_the_process_works()
    {
        using var exporter = new PrometheusExporter("IronLb.Monitoring.Tests.Nothing");
        exporter.Start();
        var before = Value(exporter.Render().Split('\n'), "process_cpu_seconds_total");
        var spin = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(50);
        while (Environment.CpuUsage.TotalTime < spin)
        {
            Thread.SpinWait(1000);
        }

        Assert.True(Value(exporter.Render().Split('\n'), "process_cpu_seconds_total") > before);
    }

    private static double Value(string[] lines, string name)
    {
        var line = Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
