namespace IronLb.Networking;

/// <summary>Settings of the <see cref="Layer2Announcer"/>. Defaults are MetalLB's.</summary>
public sealed record Layer2Options
{
    /// <summary>Interface name patterns never answered on; null means MetalLB's default list (§4.6).</summary>
    public IReadOnlyList<string>? ExcludedInterfaces { get; init; }

    /// <summary>How often host interfaces are rescanned (MetalLB: 10 s). <see cref="Layer2Announcer.Rescan"/> does it on demand.</summary>
    public TimeSpan InterfaceScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Also rescan as soon as the kernel reports a link or IPv6 address change (rtnetlink), instead of only
    /// periodically as MetalLB does.
    /// </summary>
    public bool WatchInterfaceChanges { get; init; } = true;

    /// <summary>Gratuitous burst spacing (MetalLB: 1100 ms, issue 172).</summary>
    public TimeSpan GratuitousPeriod { get; init; } = TimeSpan.FromMilliseconds(1100);

    /// <summary>Gratuitous burst length (MetalLB: 5 s).</summary>
    public TimeSpan GratuitousWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Periodic re-announcement of every owned address, for switches that age out MAC entries; null (the
    /// default, as in MetalLB) turns it off.
    /// </summary>
    public TimeSpan? GratuitousRefreshInterval { get; init; }
}
