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
}
