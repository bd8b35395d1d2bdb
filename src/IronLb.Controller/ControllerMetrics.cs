using System.Diagnostics.Metrics;
using IronLb.Kubernetes.Status;

namespace IronLb.Controller;

/// <summary>Per-pool allocator figures as last published by the reconcile loop.</summary>
public sealed record PoolStats(string Pool, long TotalV4, long TotalV6, long InUseV4, long InUseV6)
{
    public long Total => TotalV4 > long.MaxValue - TotalV6 ? long.MaxValue : TotalV4 + TotalV6;
}

/// <summary>
/// MetalLB's controller metrics under MetalLB's names (§5.4). Gauges read an immutable snapshot the
/// reconcile loop swaps, so a scrape never touches the allocator, which is single-threaded.
/// </summary>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "IronLb.Controller";

    private readonly Meter _meter = new(MeterName);
    private volatile IReadOnlyList<PoolStats> _pools = [];
    private volatile int _configLoaded;
    private volatile int _configStale;

    public ControllerMetrics()
    {
        // Observable counters: a scrape sees the whole count however late the exporter started listening.
        _meter.CreateObservableCounter("metallb_k8s_client_updates_total", () => Writes.Writes, description: "Number of k8s object updates that have been processed.");
        _meter.CreateObservableCounter("metallb_k8s_client_update_errors_total", () => Writes.Failures, description: "Number of k8s object updates that failed for some reason.");
        _meter.CreateObservableGauge("metallb_k8s_client_config_loaded_bool", () => (long)_configLoaded, description: "1 if the MetalLB configuration was successfully loaded at least once.");
        _meter.CreateObservableGauge("metallb_k8s_client_config_stale_bool", () => (long)_configStale, description: "1 if running on a stale configuration, because the latest config failed to load.");
        Gauge("metallb_allocator_addresses_total", p => p.Total, "Number of usable IP addresses, per pool");
        Gauge("metallb_allocator_ipv4_addresses_total", p => p.TotalV4, "Number of usable IPv4 addresses, per pool");
        Gauge("metallb_allocator_ipv6_addresses_total", p => p.TotalV6, "Number of usable IPv6 addresses, per pool");
        Gauge("metallb_allocator_addresses_in_use_total", p => p.InUseV4 + p.InUseV6, "Number of IP addresses in use, per pool");
        Gauge("metallb_allocator_ipv4_addresses_in_use_total", p => p.InUseV4, "Number of IPv4 addresses in use, per pool");
        Gauge("metallb_allocator_ipv6_addresses_in_use_total", p => p.InUseV6, "Number of IPv6 addresses in use, per pool");
    }

    /// <summary>This instance's meter, so an exporter can read exactly this controller's figures.</summary>
    public Meter Meter => _meter;

    public IReadOnlyList<PoolStats> Pools => _pools;

    public void PublishPools(IReadOnlyList<PoolStats> pools) => _pools = pools;

    public void ConfigLoaded(bool stale)
    {
        _configLoaded = 1;
        _configStale = stale ? 1 : 0;
    }

    public void ConfigStale() => _configStale = 1;

    /// <summary>Every write of this controller to the API server; its writers count into it.</summary>
    public WriteCounter Writes { get; } = new();

    private void Gauge(string name, Func<PoolStats, long> value, string description) =>
        _meter.CreateObservableGauge(name, () => _pools.Select(p => new Measurement<long>(value(p), new KeyValuePair<string, object?>("pool", p.Pool))), description: description);

    public void Dispose() => _meter.Dispose();
}
