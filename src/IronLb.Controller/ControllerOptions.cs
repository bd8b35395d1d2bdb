using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Leases;

namespace IronLb.Controller;

/// <summary>The controller's settings (flags of `ironlb controller`).</summary>
public sealed record ControllerOptions
{
    /// <summary>Where IPAddressPools live (MetalLB's namespace).</summary>
    public string Namespace { get; init; } = Core.Configuration.ClusterResources.DefaultConfigNamespace;

    /// <summary>The spec.loadBalancerClass handled; "" handles Services without a class.</summary>
    public string LoadBalancerClass { get; init; } = "";

    public string MetricsAddress { get; init; } = ":9120";

    public string HealthAddress { get; init; } = ":17472";

    /// <summary>The controller's pod, for owner references; optional.</summary>
    public string? PodName { get; init; }

    public bool LeaderElect { get; init; }

    public string LeaseName { get; init; } = "ironlb-controller";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's identity in the lease; defaults to the pod name or host name.</summary>
    public string? Identity { get; init; }

    /// <summary>
    /// How long a Service keeps an address whose pool was deleted (or changed to leave it out) before it is
    /// unassigned; a pool re-applied in time keeps the assignment. Zero is MetalLB's behaviour (unassigned at once).
    /// </summary>
    public TimeSpan PoolRemovalGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Watch streams are resumed after this long (short in tests).</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    /// <summary>Every API request's per-attempt timeout (watch streams excepted: they have the idle timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = KubeConnectionOptions.DefaultRequestTimeout;

    /// <summary>A watch silent (no event, no bookmark) for this long is restarted from its last resourceVersion.</summary>
    public TimeSpan WatchIdleTimeout { get; init; } = KubeConnectionOptions.DefaultWatchIdleTimeout;

    /// <summary>How often the informers relist anyway (jittered ±10 %), to find anything a watch lost.</summary>
    public TimeSpan RelistInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The leader's per-attempt renewal timeout; null takes half the renew deadline.</summary>
    public TimeSpan? RenewAttemptTimeout { get; init; }

    /// <summary>The leader's per-write timeout; null takes 80 % of (lease duration − renew deadline).</summary>
    public TimeSpan? WriteTimeout { get; init; }

    /// <summary>The lease timing these options give <paramref name="identity"/>.</summary>
    public LeaseSettings Lease(string identity) =>
        new(Namespace, LeaseName, identity, LeaseDuration, RenewDeadline, RetryPeriod) { AttemptTimeout = RenewAttemptTimeout, WriteTimeout = WriteTimeout };

    /// <summary>Every problem with these options (collect-all), each naming what to change; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(new KubeConnectionOptions { RequestTimeout = RequestTimeout, WatchIdleTimeout = WatchIdleTimeout }.Validate());
        if (RelistInterval <= TimeSpan.Zero && RelistInterval != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"the relist interval must be positive, not {RelistInterval}");
        }

        if (LeaderElect)
        {
            errors.AddRange(Lease(Identity ?? "validation").Validate());
        }

        return errors;
    }
}
