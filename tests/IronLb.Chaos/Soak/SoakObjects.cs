using System.Globalization;
using System.Net;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Chaos.Soak;

/// <summary>
/// The cluster objects the soak owns: the soak namespace and its Services, a pool of its own on the external
/// LAN and the advertisement that covers it, and the broken pool of the invalid-configuration fault. All named
/// soak-*, so <see cref="RemoveAllAsync"/> takes them away whatever a run left.
/// </summary>
internal static class SoakObjects
{
    public const string Namespace = "soak";
    public const string MetalLbNamespace = "metallb-system";
    public const string Pool = "soak-pool";
    public const string Advertisement = "soak-adv";
    public const string BrokenPool = "soak-broken";

    /// <summary>A slice of the external LAN no example pool and no fault-matrix pool (192.0.2.224/28) uses.</summary>
    public const string PoolRange = "192.0.2.240/29";

    /// <summary>What the pool shrinks to when edited: the Services holding the other half lose them, as they should.</summary>
    public const string ShrunkRange = "192.0.2.240/30";

    /// <summary>IPv6 addresses of the example's external pool that Services ask for by metallb.io/loadBalancerIPs.</summary>
    public static readonly IPAddress[] RequestedIpv6 = [.. Enumerable.Range(1, 4).Select(i => IPAddress.Parse($"2001:db8:3a::5:{i}"))];

    public const string Pools = $"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/ipaddresspools";
    public const string Advertisements = $"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/l2advertisements";
    public const string Services = $"api/v1/namespaces/{Namespace}/services";

    public static IEnumerable<IPAddress> PoolAddresses => ClusterSnapshot.AddressesOf(PoolRange);

    public static async Task SetUpAsync(KubeConnection api, CancellationToken ct)
    {
        try
        {
            await api.PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""", ct);
        }
        catch (KubeApiException e) when (e.Message.Contains("AlreadyExists", StringComparison.Ordinal))
        {
            // Left by an earlier run: fine.
        }

        await RemoveAllAsync(api, ct);
        await api.PostAsync(Pools, PoolJson(Pool, PoolRange), ct);
        await api.PostAsync(Advertisements, AdvertisementJson(withInterfaces: true), ct);
    }

    /// <summary>Deletes every soak Service and the soak pools and advertisement; what is not there is skipped.</summary>
    public static async Task RemoveAllAsync(KubeConnection api, CancellationToken ct)
    {
        foreach (var name in await NamesAsync(api, Services, "soak-", ct))
        {
            await DeleteAsync(api, $"{Services}/{name}", ct);
        }

        await DeleteAsync(api, $"{Advertisements}/{Advertisement}", ct);
        await DeleteAsync(api, $"{Pools}/{Pool}", ct);
        await DeleteAsync(api, $"{Pools}/{BrokenPool}", ct);
    }

    /// <summary>
    /// A single-stack Service: from the soak pool by itself (<paramref name="requested"/> null), or asking for one
    /// address by metallb.io/loadBalancerIPs (from the soak pool or the example's external pool).
    /// </summary>
    public static Task CreateServiceAsync(KubeConnection api, string name, IPAddress? requested, CancellationToken ct)
    {
        var family = requested?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        var annotations = requested is null
            ? $$$"""{"metallb.io/address-pool":"{{{Pool}}}"}"""
            : $$$"""{"metallb.io/loadBalancerIPs":"{{{requested}}}"}""";
        return api.PostAsync(Services, $$$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"{{{{name}}}}","namespace":"{{{{Namespace}}}}","annotations":{{{{annotations}}}}},
             "spec":{"type":"LoadBalancer","ipFamilyPolicy":"SingleStack","ipFamilies":["{{{{family}}}}"],"ports":[{"name":"http","port":80,"protocol":"TCP"}],"selector":{"app":"soak"}}}
            """, ct);
    }

    public static Task PutPoolAsync(KubeConnection api, string range, CancellationToken ct) =>
        ReplaceAsync(api, $"{Pools}/{Pool}", PoolJson(Pool, range), ct);

    public static Task AddPoolAsync(KubeConnection api, CancellationToken ct) => api.PostAsync(Pools, PoolJson(Pool, PoolRange), ct);

    /// <summary>A pool whose address is not one: the whole configuration turns invalid for every component.</summary>
    public static Task AddBrokenPoolAsync(KubeConnection api, CancellationToken ct) => api.PostAsync(Pools, PoolJson(BrokenPool, "not-a-cidr"), ct);

    public static Task PutAdvertisementAsync(KubeConnection api, bool withInterfaces, CancellationToken ct) =>
        ReplaceAsync(api, $"{Advertisements}/{Advertisement}", AdvertisementJson(withInterfaces), ct);

    public static Task AddAdvertisementAsync(KubeConnection api, CancellationToken ct) => api.PostAsync(Advertisements, AdvertisementJson(withInterfaces: true), ct);

    /// <summary>Deletes every speaker-* ConfigurationState and ironlb-speaker-* Lease (the speakers' discovery); returns how many went.</summary>
    public static async Task<int> DeleteDiscoveryAsync(KubeConnection api, CancellationToken ct)
    {
        (string List, string Prefix)[] lists =
        [
            ($"apis/metallb.io/v1beta1/namespaces/{MetalLbNamespace}/configurationstates", "speaker-"),
            ($"apis/coordination.k8s.io/v1/namespaces/{MetalLbNamespace}/leases", "ironlb-speaker-"),
        ];
        var deleted = 0;
        foreach (var (list, prefix) in lists)
        {
            foreach (var name in await NamesAsync(api, list, prefix, ct))
            {
                deleted += await DeleteAsync(api, $"{list}/{name}", ct) ? 1 : 0;
            }
        }

        return deleted;
    }

    /// <summary>The controller Lease's holder (a replica's --pod-name), or null while none holds it.</summary>
    public static async Task<string?> ControllerLeaderAsync(KubeConnection api, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await api.GetAsync($"apis/coordination.k8s.io/v1/namespaces/{MetalLbNamespace}/leases/ironlb-controller", ct));
            return json.RootElement.GetProperty("spec").TryGetProperty("holderIdentity", out var h) && h.GetString() is { Length: > 0 } holder ? holder : null;
        }
        catch (KubeApiException)
        {
            return null;
        }
    }

    public static async Task<List<string>> NamesAsync(KubeConnection api, string list, string prefix, CancellationToken ct)
    {
        using var json = JsonDocument.Parse(await api.GetAsync(list, ct));
        return [.. json.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
    }

    public static async Task<bool> DeleteAsync(KubeConnection api, string path, CancellationToken ct)
    {
        try
        {
            await api.SendAsync(HttpMethod.Delete, path, null, "application/json", ct);
            return true;
        }
        catch (KubeApiException)
        {
            return false; // already gone
        }
    }

    /// <summary>Read, change the spec, write back with the read resourceVersion (a PUT must carry one).</summary>
    private static async Task ReplaceAsync(KubeConnection api, string path, string json, CancellationToken ct)
    {
        using var current = JsonDocument.Parse(await api.GetAsync(path, ct));
        var version = current.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var withVersion = json.Replace("\"metadata\":{", $"\"metadata\":{{\"resourceVersion\":\"{version}\",", StringComparison.Ordinal);
        await api.PutAsync(path, withVersion, ct);
    }

    private static string PoolJson(string name, string range) => $$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{name}}}","namespace":"{{{MetalLbNamespace}}}"},
         "spec":{"autoAssign":false,"addresses":["{{{range}}}"]}}
        """;

    /// <summary>The soak pool's advertisement, on eno2 alone or (edited) on every interface: both reach the external LAN.</summary>
    private static string AdvertisementJson(bool withInterfaces) => $$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"{{{Advertisement}}}","namespace":"{{{MetalLbNamespace}}}"},
         "spec":{"ipAddressPools":["{{{Pool}}}"]{{{(withInterfaces ? ",\"interfaces\":[\"eno2\"]" : "")}}}}}
        """;

    public static string ServiceName(int index) => "soak-" + index.ToString(CultureInfo.InvariantCulture);
}
