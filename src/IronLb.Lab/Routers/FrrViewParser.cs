using System.Collections.Immutable;
using System.Net;
using System.Text.Json;

namespace IronLb.Lab.Routers;

/// <summary>
/// Reads FRR's JSON: `show bgp ipv4|ipv6 unicast json detail` (per prefix a header object, then one object per path)
/// and `show bgp summary json`. FRR's shapes vary by command and version (bestpath is a bool in one and an object in
/// another), so these walk a JsonDocument rather than bind to fixed types. Total: what does not fit is a counted drop.
/// </summary>
internal static class FrrViewParser
{
    public static ImmutableArray<RoutePath> Routes(string json, List<string> drops)
    {
        var paths = ImmutableArray.CreateBuilder<RoutePath>();
        if (Parse(json, "routes", drops) is not { } document)
        {
            return [];
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("routes", out var routes) || routes.ValueKind != JsonValueKind.Object)
            {
                // A family with no routes at all prints no "routes" (or an empty object): nothing to read, nothing dropped.
                return [];
            }

            foreach (var route in routes.EnumerateObject())
            {
                if (!IPNetwork.TryParse(route.Name, out var prefix) || route.Value.ValueKind != JsonValueKind.Array)
                {
                    drops.Add($"frr routes: entry {route.Name} is not a prefix with a list of paths");
                    continue;
                }

                foreach (var path in route.Value.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("aspath", out _)))
                {
                    paths.Add(Path(prefix, path));
                }
            }
        }

        return paths.ToImmutable();
    }

    public static ImmutableArray<NeighbourState> Summary(string json, List<string> drops)
    {
        if (Parse(json, "summary", drops) is not { } document)
        {
            return [];
        }

        // A neighbour shows once per family it carries: one state, the prefixes summed.
        var byAddress = new Dictionary<IPAddress, NeighbourState>();
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                drops.Add("frr summary: not an object");
                return [];
            }

            foreach (var family in document.RootElement.EnumerateObject())
            {
                if (family.Value.ValueKind != JsonValueKind.Object || !family.Value.TryGetProperty("peers", out var peers) || peers.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var peer in peers.EnumerateObject())
                {
                    if (!IPAddress.TryParse(peer.Name, out var address) || peer.Value.ValueKind != JsonValueKind.Object)
                    {
                        drops.Add($"frr summary: peer {peer.Name} is not an address");
                        continue;
                    }

                    var state = String(peer.Value, "state") ?? "unknown";
                    var received = (int)(Int(peer.Value, "pfxRcd") ?? 0);
                    byAddress[address] = byAddress.TryGetValue(address, out var seen)
                        ? seen with { PrefixesReceived = seen.PrefixesReceived + received }
                        : new NeighbourState(address, state, received);
                }
            }
        }

        return [.. byAddress.Values.OrderBy(n => n.Address.ToString(), StringComparer.Ordinal)];
    }

    private static JsonDocument? Parse(string json, string what, List<string> drops)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            drops.Add($"frr {what}: not JSON ({e.Message})");
            return null;
        }
    }

    private static RoutePath Path(IPNetwork prefix, JsonElement path)
    {
        var asPath = ImmutableArray.CreateBuilder<uint>();
        if (path.GetProperty("aspath") is { ValueKind: JsonValueKind.Object } aspath && aspath.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array)
        {
            foreach (var segment in segments.EnumerateArray())
            {
                if (segment.ValueKind == JsonValueKind.Object && segment.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    asPath.AddRange(list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Number && a.TryGetUInt32(out _)).Select(a => a.GetUInt32()));
                }
            }
        }

        var best = path.TryGetProperty("bestpath", out var b) && (b.ValueKind == JsonValueKind.True
            || (b.ValueKind == JsonValueKind.Object && b.TryGetProperty("overall", out var overall) && overall.ValueKind == JsonValueKind.True));
        return new RoutePath(prefix, NextHop(path), asPath.ToImmutable(), (uint?)Int(path, "locPrf"),
            List(path, "community"), List(path, "largeCommunity"), best);
    }

    /// <summary>The global next hop: an IPv6 path lists the link-local one as well.</summary>
    private static IPAddress? NextHop(JsonElement path)
    {
        if (!path.TryGetProperty("nexthops", out var hops) || hops.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var addresses = hops.EnumerateArray()
            .Where(h => h.ValueKind == JsonValueKind.Object && String(h, "scope") is null or "global")
            .Select(h => IPAddress.TryParse(String(h, "ip"), out var a) ? a : null);
        return addresses.FirstOrDefault(a => a is not null);
    }

    private static ImmutableArray<string> List(JsonElement path, string name) =>
        path.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
