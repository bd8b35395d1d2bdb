using System.Collections.Immutable;
using IronLb.Lab.State;

namespace IronLb.Lab.Routers;

/// <summary>A real router (FRR or BIRD) running in a network namespace: what it is, its processes, and its view.</summary>
internal interface IBgpRouter : IAsyncDisposable
{
    RouterSpec Spec { get; }

    /// <summary>"frr" or "bird", as `ironlb-lab status` names it.</summary>
    string Software { get; }

    ImmutableArray<ProcessRecord> Processes { get; }

    /// <summary>Routes and neighbours as the router's own tool shows them.</summary>
    Task<RouterView> ReadViewAsync();
}
