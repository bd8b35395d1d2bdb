using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IronLb.Networking.Egress;

namespace IronLb.Networking.Tests.Egress;

/// <summary>Small rule sets for the golden, routing and kernel tests: documentation addresses only.</summary>
internal static class EgressSets
{
    public static readonly ImmutableArray<IPNetwork> Excluded =
    [
        IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("198.51.100.10/32"), // a node address inside the pod range: nested, rendered once
        IPNetwork.Parse("203.0.113.0/26"),
        IPNetwork.Parse("2001:db8:100::/56"),
    ];

    public static EgressEntry Translate(string service, string address, params string[] sources) => new()
    {
        Service = service,
        Family = IPAddress.Parse(address).AddressFamily,
        ServiceAddress = IPAddress.Parse(address),
        Sources = [.. sources.Select(IPAddress.Parse)],
        Role = EgressRole.Translate,
    };

    public static EgressEntry Steer(string service, string address, string nextHop, params string[] sources) =>
        Translate(service, address, sources) with { Role = EgressRole.Steer, NextHop = IPAddress.Parse(nextHop) };

    public static EgressRuleSet Set(params EgressEntry[] entries) => new()
    {
        Entries = [.. entries.OrderBy(e => e.Service, StringComparer.Ordinal).ThenBy(e => e.Family == AddressFamily.InterNetwork ? 0 : 1)],
        Excluded = Excluded,
    };
}
