using System.Collections.Immutable;

namespace IronLb.Core.Announcement;

/// <summary>
/// One endpoint of a Service (from EndpointSlices): where it runs, whether it can serve, and its addresses.
/// Ready and Serving are null when the slice leaves the condition unset.
/// </summary>
public sealed record EndpointView(string? NodeName, bool? Ready = null, bool? Serving = null)
{
    /// <summary>The endpoint's addresses (an EndpointSlice's addresses, of the slice's address type).</summary>
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>MetalLB's rule: ready unset or true, or else serving true (terminating-but-serving counts).</summary>
    public bool CanServe => Ready != false || Serving == true;
}

/// <summary>All endpoints of one Service, merged over its EndpointSlices.</summary>
public sealed record ServiceEndpoints(ImmutableArray<EndpointView> Endpoints)
{
    public static ServiceEndpoints None { get; } = new([]);
}
