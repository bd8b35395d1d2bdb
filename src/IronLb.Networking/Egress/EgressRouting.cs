using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Networking.Egress;

/// <summary>One next hop's policy route: packets marked <see cref="Mark"/> (under the options' mask) look up
/// <see cref="Table"/>, whose default route goes via <see cref="NextHop"/>.</summary>
public sealed record EgressRoute(AddressFamily Family, uint Table, uint Mark, IPAddress NextHop);

/// <summary>
/// The rules and routes a rule set needs: each distinct Steer next hop of a family, ordered by address, is
/// index k → table base + k and mark k + 1. Pure; the renderer and the programmer both use it, so the marks
/// the nftables rules set and the marks the rules match cannot disagree.
/// </summary>
public static class EgressRouting
{
    /// <summary>IPv4 first, then IPv6; within a family by address. Next hops beyond the options' capacity are
    /// left out (<see cref="Problems"/> names them).</summary>
    public static ImmutableArray<EgressRoute> Plan(EgressRuleSet set, EgressKernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var routes = ImmutableArray.CreateBuilder<EgressRoute>();
        foreach (var family in (ReadOnlySpan<AddressFamily>)[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            var hops = NextHops(set, family);
            for (var k = 0; k < Math.Min(hops.Count, options.NextHopCapacity); k++)
            {
                routes.Add(new EgressRoute(family, options.Table(k), options.Mark(k), hops[k]));
            }
        }

        return routes.ToImmutable();
    }

    /// <summary>Why <paramref name="set"/> cannot be programmed as given (empty when it can): every problem at once.</summary>
    public static ImmutableArray<string> Problems(EgressRuleSet set, EgressKernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        var problems = ImmutableArray.CreateBuilder<string>();
        foreach (var entry in set.Entries)
        {
            var family = entry.Family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
            if (entry.Family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                problems.Add($"{entry.Service}: address family {entry.Family} is neither IPv4 nor IPv6");
                continue;
            }

            if (entry.ServiceAddress.AddressFamily != entry.Family)
            {
                problems.Add($"{entry.Service} {family}: service address {entry.ServiceAddress} is not {family}");
            }

            if (entry.Sources.Any(s => s.AddressFamily != entry.Family))
            {
                problems.Add($"{entry.Service} {family}: a source address is not {family}");
            }

            if (entry.Role == EgressRole.Steer && entry.NextHop?.AddressFamily != entry.Family)
            {
                problems.Add($"{entry.Service} {family}: steered without an {family} next hop");
            }
        }

        foreach (var family in (ReadOnlySpan<AddressFamily>)[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            var count = NextHops(set, family).Count;
            if (count > options.NextHopCapacity)
            {
                problems.Add($"{count} {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} next hops, but the fwmark mask and {EgressKernelOptions.TableCount} tables allow {options.NextHopCapacity}");
            }
        }

        return problems.ToImmutable();
    }

    private static List<IPAddress> NextHops(EgressRuleSet set, AddressFamily family)
    {
        var hops = new SortedSet<IPAddress>(AddressComparer.Instance);
        foreach (var entry in set.Entries)
        {
            if (entry.Role == EgressRole.Steer && entry.Family == family && entry.NextHop is { } hop && hop.AddressFamily == family)
            {
                _ = hops.Add(hop);
            }
        }

        return [.. hops];
    }
}

/// <summary>Orders addresses of one family by their bytes (network order), IPv4 before IPv6.</summary>
internal sealed class AddressComparer : IComparer<IPAddress>
{
    public static readonly AddressComparer Instance = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        _ = x.TryWriteBytes(a, out var na);
        _ = y.TryWriteBytes(b, out var nb);
        return na != nb ? na.CompareTo(nb) : a[..na].SequenceCompareTo(b[..nb]);
    }
}
