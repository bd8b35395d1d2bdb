using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Lab.Routers;

/// <summary>How a neighbour's AS is given: a number, or FRR's "internal"/"external" (any AS equal to, or other than, ours).</summary>
internal enum RemoteAsKind
{
    Number,
    Internal,
    External,
}

/// <summary>The neighbour's AS as a router's configuration names it.</summary>
internal readonly record struct RemoteAs(RemoteAsKind Kind, uint Number)
{
    public static RemoteAs Internal => new(RemoteAsKind.Internal, 0);

    public static RemoteAs External => new(RemoteAsKind.External, 0);

    public static RemoteAs Of(uint asn) => new(RemoteAsKind.Number, asn);

    public override string ToString() => Kind switch
    {
        RemoteAsKind.Internal => "internal",
        RemoteAsKind.External => "external",
        _ => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// One BGP neighbour of a test router. <see cref="Families"/> are the address families the session carries; by
/// default only the neighbour address's own, so a next hop always has the family of the prefixes it serves.
/// </summary>
internal sealed record BgpNeighbour(IPAddress Address, RemoteAs RemoteAs)
{
    /// <summary>TCP MD5 (RFC 2385) key; null for none.</summary>
    public string? Password { get; init; }

    /// <summary>The neighbour's BGP port when it is not 179.</summary>
    public int? Port { get; init; }

    /// <summary>Wait for the neighbour to connect; never dial it (the lab's router waits for the speakers).</summary>
    public bool Passive { get; init; }

    public ImmutableArray<AddressFamily> Families { get; init; } = [];

    public ImmutableArray<AddressFamily> CarriedFamilies => Families.IsDefaultOrEmpty ? [Address.AddressFamily] : Families;
}

/// <summary>A prefix the router itself originates, for the router-to-router baseline, with the attributes it carries.</summary>
internal sealed record AnnouncedPrefix(IPNetwork Prefix)
{
    /// <summary>Standard communities, "65000:100".</summary>
    public ImmutableArray<string> Communities { get; init; } = [];

    /// <summary>Large communities, "64512:1:2".</summary>
    public ImmutableArray<string> LargeCommunities { get; init; } = [];

    /// <summary>LOCAL_PREF, which only iBGP neighbours receive.</summary>
    public uint? LocalPref { get; init; }
}

/// <summary>
/// Everything a test router is: which namespace it runs in, where its files go, who it is and whom it peers with.
/// <see cref="Name"/> must be unique on the machine: FRR's socket directory (its pathspace) is named after it.
/// </summary>
internal sealed record RouterSpec(string Name, string Netns, string StateDirectory, IPAddress RouterId, uint Asn)
{
    /// <summary>Addresses to listen on; empty listens on every address of the router's own namespace.</summary>
    public ImmutableArray<IPAddress> ListenAddresses { get; init; } = [];

    public ImmutableArray<BgpNeighbour> Neighbours { get; init; } = [];

    public ImmutableArray<AnnouncedPrefix> Announce { get; init; } = [];

    /// <summary>Equal-cost paths a router may install for one prefix (FRR maximum-paths, eBGP and iBGP).</summary>
    public int MaximumPaths { get; init; } = 8;
}
