using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Text.Json;

namespace IronLb.Chaos.Soak;

/// <summary>A Service as the soak judges it: its identity (a re-created Service is another), its sharing key, its addresses.</summary>
internal sealed record ServiceView(string Key, string Uid, string? SharingKey, ImmutableArray<string> Ingress);

/// <summary>An IPAddressPool's addresses (CIDRs or "a-b" ranges, as MetalLB writes them).</summary>
internal sealed record PoolView(string Name, ImmutableArray<string> Addresses)
{
    public bool Contains(IPAddress address) => Addresses.Any(a => Covers(a, address));

    /// <summary>Total: an entry that is neither a CIDR nor a range covers nothing (the broken pool's "not-a-cidr").</summary>
    private static bool Covers(string entry, IPAddress address)
    {
        if (IPNetwork.TryParse(entry, out var network))
        {
            return network.Contains(address);
        }

        return entry.Split('-') is [var from, var to]
            && IPAddress.TryParse(from.Trim(), out var low) && IPAddress.TryParse(to.Trim(), out var high)
            && low.AddressFamily == address.AddressFamily && high.AddressFamily == address.AddressFamily
            && Compare(low, address) <= 0 && Compare(address, high) <= 0;
    }

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());
}

/// <summary>An L2Advertisement: the pools it names (none and no selector: every pool).</summary>
internal sealed record AdvertisementView(string Name, ImmutableArray<string> Pools, bool HasPoolSelectors)
{
    public bool Covers(string pool) => Pools.Contains(pool) || (Pools.IsEmpty && !HasPoolSelectors) || HasPoolSelectors;
}

/// <summary>
/// The cluster at one moment, read from the API: Services (first), then pools, advertisements and EndpointSlices.
/// Services are read first so a Service that lost an address because its pool shrank is always seen with the
/// shrunk pool, never with the pool as it was.
/// </summary>
internal sealed record ClusterSnapshot(
    TimeSpan At,
    ImmutableDictionary<string, ServiceView> Services,
    ImmutableArray<PoolView> Pools,
    ImmutableArray<AdvertisementView> Advertisements,
    ImmutableHashSet<string> ServicesWithReadyEndpoints)
{
    /// <summary>
    /// The addresses that should be answered, each with its holder (the uids of the Services holding it): held
    /// by a Service that has a ready endpoint, inside a pool that exists, which an advertisement covers. The
    /// holder matters because a Service waiting for an address (asked for, or none free) takes it the moment its holder goes,
    /// and the speakers then hand it from one Service to the other: a new start, not a gap in the old one.
    /// </summary>
    public ImmutableDictionary<IPAddress, string> Expected()
    {
        var covered = Pools.Where(p => Advertisements.Any(a => a.Covers(p.Name))).ToList();
        return Services.Values.Where(s => ServicesWithReadyEndpoints.Contains(s.Key))
            .SelectMany(s => s.Ingress.Select(ip => (Ip: IPAddress.TryParse(ip, out var a) ? a : null, s.Uid)))
            .Where(x => x.Ip is not null && covered.Any(p => p.Contains(x.Ip)))
            .GroupBy(x => x.Ip!)
            .ToImmutableDictionary(g => g.Key, g => string.Join('+', g.Select(x => x.Uid).Order(StringComparer.Ordinal)));
    }

    /// <summary>Addresses a Service held in <paramref name="before"/> and not now, while a pool still holds them: lost.</summary>
    public IEnumerable<string> LostSince(ClusterSnapshot before) =>
        from was in before.Services.Values
        where Services.TryGetValue(was.Key, out var now) && now.Uid == was.Uid
        from ip in was.Ingress.Except(Services[was.Key].Ingress)
        let address = IPAddress.Parse(ip)
        let pool = Pools.FirstOrDefault(p => p.Contains(address))
        where pool is not null
        select $"{was.Key} lost {ip} while pool {pool.Name} holds it (now [{string.Join(',', Services[was.Key].Ingress)}])";

    /// <summary>Addresses held by two Services that do not share them by one key.</summary>
    public IEnumerable<string> Conflicts() =>
        ServiceStatusWatch.ConflictsIn(Services.Values.Select(s => (s.Key, s.SharingKey, s.Ingress)));

    public static ServiceView ReadService(JsonElement item)
    {
        var metadata = item.GetProperty("metadata");
        var key = $"{metadata.GetProperty("namespace").GetString()}/{metadata.GetProperty("name").GetString()}";
        var sharing = metadata.TryGetProperty("annotations", out var a) && a.TryGetProperty("metallb.io/allow-shared-ip", out var k) ? k.GetString() : null;
        ImmutableArray<string> ingress = item.TryGetProperty("status", out var s) && s.TryGetProperty("loadBalancer", out var lb) && lb.TryGetProperty("ingress", out var i)
            ? [.. i.EnumerateArray().Where(x => x.TryGetProperty("ip", out _)).Select(x => x.GetProperty("ip").GetString()!)]
            : [];
        return new ServiceView(key, metadata.TryGetProperty("uid", out var uid) ? uid.GetString() ?? "" : "", sharing, ingress);
    }

    public static PoolView ReadPool(JsonElement item) => new(
        item.GetProperty("metadata").GetProperty("name").GetString()!,
        item.TryGetProperty("spec", out var spec) && spec.TryGetProperty("addresses", out var addresses)
            ? [.. addresses.EnumerateArray().Select(x => x.GetString() ?? "")]
            : []);

    public static AdvertisementView ReadAdvertisement(JsonElement item)
    {
        var spec = item.TryGetProperty("spec", out var s) ? s : default;
        var pools = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("ipAddressPools", out var p) ? p.EnumerateArray().Select(x => x.GetString() ?? "").ToImmutableArray() : [];
        var selectors = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("ipAddressPoolSelectors", out var sel) && sel.GetArrayLength() > 0;
        return new AdvertisementView(item.GetProperty("metadata").GetProperty("name").GetString()!, pools, selectors);
    }

    /// <summary>The Service (namespace/name) an EndpointSlice serves, when one of its endpoints is ready.</summary>
    public static string? ReadyService(JsonElement slice)
    {
        var metadata = slice.GetProperty("metadata");
        if (!metadata.TryGetProperty("labels", out var labels) || !labels.TryGetProperty("kubernetes.io/service-name", out var service))
        {
            return null;
        }

        var ready = slice.TryGetProperty("endpoints", out var endpoints) && endpoints.ValueKind == JsonValueKind.Array && endpoints.EnumerateArray().Any(e =>
            !e.TryGetProperty("conditions", out var c) || !c.TryGetProperty("ready", out var r) || r.ValueKind != JsonValueKind.False);
        return ready ? $"{metadata.GetProperty("namespace").GetString()}/{service.GetString()}" : null;
    }

    /// <summary>The addresses of a small IPv4 CIDR, in order (the soak pool's, for the prober).</summary>
    public static IEnumerable<IPAddress> AddressesOf(string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        var first = BinaryPrimitives.ReadUInt32BigEndian(network.BaseAddress.GetAddressBytes());
        for (var i = 0u; i < 1u << (32 - network.PrefixLength); i++)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, first + i);
            yield return new IPAddress(bytes);
        }
    }
}
