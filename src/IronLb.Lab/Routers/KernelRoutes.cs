using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Routers;

/// <summary>A route in a namespace's kernel table and every next hop it spreads traffic over (one, or several for ECMP).</summary>
internal sealed record KernelRoute(IPNetwork Prefix, string? Protocol, ImmutableArray<IPAddress> NextHops);

/// <summary>
/// Reads `ip -j [-6] -n NS route`: where the routers put what they chose, and the only place ECMP shows as the
/// kernel will use it. Total: output that is not the JSON iproute2 writes is a counted drop, as is a bad entry.
/// </summary>
internal static class KernelRoutes
{
    public static async Task<ImmutableArray<KernelRoute>> ReadAsync(string netns, List<string> drops)
    {
        var routes = ImmutableArray.CreateBuilder<KernelRoute>();
        foreach (var family in new[] { "-4", "-6" })
        {
            var result = await CommandRunner.RunAsync("ip", "-j", family, "-n", netns, "route").ConfigureAwait(false);
            if (!result.Ok)
            {
                drops.Add($"ip {family} route in {netns}: {result}");
                continue;
            }

            routes.AddRange(Parse(result.Stdout, drops));
        }

        return routes.ToImmutable();
    }

    public static ImmutableArray<KernelRoute> Parse(string json, List<string> drops)
    {
        List<IpRoute?>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, KernelRouteJson.Default.ListIpRoute);
        }
        catch (JsonException e)
        {
            drops.Add($"ip route: not iproute2's JSON ({e.Message})");
            return [];
        }

        var routes = ImmutableArray.CreateBuilder<KernelRoute>();
        foreach (var entry in entries ?? [])
        {
            if (entry?.Dst is not { } dst || Prefix(dst) is not { } prefix)
            {
                drops.Add($"ip route: entry without a usable destination ({entry?.Dst ?? "null"})");
                continue;
            }

            var gateways = entry.Nexthops is { Count: > 0 } hops ? hops.Select(h => h?.Gateway) : [entry.Gateway];
            var nextHops = gateways.Select(g => IPAddress.TryParse(g, out var a) ? a : null).OfType<IPAddress>();
            routes.Add(new KernelRoute(prefix, entry.Protocol, [.. nextHops]));
        }

        return routes.ToImmutable();
    }

    /// <summary>iproute2 writes a host route without its length ("203.0.113.5") and the default route as "default".</summary>
    private static IPNetwork? Prefix(string dst) =>
        IPNetwork.TryParse(dst, out var network) ? network
        : IPAddress.TryParse(dst, out var host) ? new IPNetwork(host, host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : null;
}

/// <summary>One entry of `ip -j route`, as much of it as we read.</summary>
internal sealed record IpRoute(string? Dst, string? Gateway, string? Dev, string? Protocol, List<IpNextHop?>? Nexthops);

internal sealed record IpNextHop(string? Gateway, string? Dev);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<IpRoute?>))]
internal sealed partial class KernelRouteJson : JsonSerializerContext;
