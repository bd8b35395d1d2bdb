using System.Collections.Immutable;
using System.Net;

namespace IronLb.Lab.Routers;

/// <summary>
/// One path to a prefix as the router holds it. Communities are written "65000:100" and large ones "1:2:3" whichever
/// router spoke, so tests compare both routers' views with the same rows.
/// </summary>
internal sealed record RoutePath(IPNetwork Prefix, IPAddress? NextHop, ImmutableArray<uint> AsPath, uint? LocalPref,
    ImmutableArray<string> Communities, ImmutableArray<string> LargeCommunities, bool Best);

/// <summary>A BGP neighbour: its session state in the router's own words and how many prefixes it sent.</summary>
internal sealed record NeighbourState(IPAddress Address, string State, int PrefixesReceived)
{
    public bool Established => State == "Established";
}

/// <summary>
/// What a router says it holds, read with its own tools. <see cref="Drops"/> names each piece of output the
/// parsers did not understand (counted, never thrown), so a test can show why a path it expected is missing.
/// </summary>
internal sealed record RouterView(ImmutableArray<RoutePath> Paths, ImmutableArray<NeighbourState> Neighbours, ImmutableArray<string> Drops)
{
    public IEnumerable<RoutePath> PathsTo(IPNetwork prefix) => Paths.Where(p => p.Prefix == prefix);

    public NeighbourState? Neighbour(IPAddress address) => Neighbours.FirstOrDefault(n => n.Address.Equals(address));

    public override string ToString() =>
        $"paths [{string.Join("; ", Paths.Select(p => $"{p.Prefix} via {p.NextHop} as-path {string.Join(' ', p.AsPath)} lp {p.LocalPref} c {string.Join(' ', p.Communities)} lc {string.Join(' ', p.LargeCommunities)}{(p.Best ? " best" : "")}"))}], "
        + $"neighbours [{string.Join("; ", Neighbours.Select(n => $"{n.Address} {n.State} {n.PrefixesReceived}"))}], drops [{string.Join("; ", Drops)}]";
}
