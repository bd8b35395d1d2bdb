using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Allocation;

/// <summary>
/// What the allocator needs to know about a Service to place it: MetalLB's key, ports, sharing key and
/// backend key, plus namespace and labels for pool compatibility.
/// </summary>
public sealed record AllocationRequest
{
    public required ServiceKey Key { get; init; }
    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<ServicePort> Ports { get; init; } = [];

    /// <summary>Value of allow-shared-ip; "" means the Service does not share.</summary>
    public string SharingKey { get; init; } = "";

    /// <summary>With externalTrafficPolicy Local, the canonical selector; otherwise "".</summary>
    public string BackendKey { get; init; } = "";
}

/// <summary>A Service's current assignment.</summary>
public sealed record Allocation(
    string Pool,
    ImmutableArray<Address> Ips,
    ImmutableArray<ServicePort> Ports,
    string SharingKey,
    string BackendKey);

/// <summary>Addresses, or the reason there are none (the text of an AllocationFailed event).</summary>
public readonly record struct AllocationResult(ImmutableArray<Address> Ips, string? Error)
{
    public bool Succeeded => Error is null;

    public static AllocationResult Fail(string error) => new([], error);
}

/// <summary>Distinct addresses in use from one pool, per family.</summary>
public readonly record struct PoolCounters(int InUseV4, int InUseV6)
{
    public int InUse => InUseV4 + InUseV6;
}
