using System.Globalization;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// The cluster objects rows add and remove: an invalid pool, an auto-assigning pool with Services created in
/// bursts, and the speakers' discovery objects to delete. Everything added is named matrix-* (or lives in the
/// matrix namespace), so <see cref="RemoveAllAsync"/> can take it all away again.
/// </summary>
internal static class TestObjects
{
    public const string Pools = $"apis/metallb.io/v1beta1/namespaces/{MatrixLab.MetalLbNamespace}/ipaddresspools";
    public const string BrokenPool = "matrix-broken";
    public const string AutoPool = "matrix-auto";

    /// <summary>A slice of the external LAN no example pool uses, handed out without being asked for.</summary>
    public const string AutoPoolRange = "192.0.2.224/28";

    private const string Services = $"api/v1/namespaces/{MatrixLab.TestNamespace}/services";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A pool whose address is not one: the whole configuration turns invalid for every speaker.</summary>
    public static Task AddBrokenPoolAsync(KubeConnection api) => api.PostAsync(Pools, Pool(BrokenPool, "not-a-cidr", autoAssign: false), Ct);

    public static Task AddAutoPoolAsync(KubeConnection api) => api.PostAsync(Pools, Pool(AutoPool, AutoPoolRange, autoAssign: true), Ct);

    public static async Task CreateNamespaceAsync(KubeConnection api)
    {
        try
        {
            await api.PostAsync("api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{MatrixLab.TestNamespace}}}"}}""", Ct);
        }
        catch (KubeApiException e) when (e.Message.Contains("AlreadyExists", StringComparison.Ordinal))
        {
            // Left by an earlier row: fine.
        }
    }

    /// <summary>An IPv4 LoadBalancer Service that asks for the auto pool.</summary>
    public static Task CreateServiceAsync(KubeConnection api, int index) => api.PostAsync(Services, $$$"""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"matrix-{{{index.ToString(CultureInfo.InvariantCulture)}}}","namespace":"{{{MatrixLab.TestNamespace}}}",
         "annotations":{"metallb.io/address-pool":"{{{AutoPool}}}"}},
         "spec":{"type":"LoadBalancer","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"],"ports":[{"name":"http","port":80,"protocol":"TCP"}],"selector":{"app":"matrix"}}
        }
        """, Ct);

    /// <summary>Names of the objects at the list path <paramref name="list"/> whose name starts with <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> NamesAsync(KubeConnection api, string list, string prefix)
    {
        using var json = JsonDocument.Parse(await api.GetAsync(list, Ct));
        return [.. json.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Deletes every speaker-* ConfigurationState and ironlb-speaker-* Lease; returns how many went.</summary>
    public static async Task<int> DeleteDiscoveryAsync(KubeConnection api)
    {
        var deleted = 0;
        foreach (var (list, prefix) in DiscoveryLists)
        {
            foreach (var name in await NamesAsync(api, list, prefix))
            {
                deleted += await DeleteAsync(api, $"{list}/{name}") ? 1 : 0;
            }
        }

        return deleted;
    }

    public static readonly (string List, string Prefix)[] DiscoveryLists =
    [
        ($"apis/metallb.io/v1beta1/namespaces/{MatrixLab.MetalLbNamespace}/configurationstates", "speaker-"),
        ($"apis/coordination.k8s.io/v1/namespaces/{MatrixLab.MetalLbNamespace}/leases", "ironlb-speaker-"),
    ];

    /// <summary>The ironlb.io/speaker-state annotation of a speaker's Lease (answering, not eligible, ...), or null.</summary>
    public static async Task<string?> SpeakerStateAsync(KubeConnection api, string node)
    {
        try
        {
            using var json = JsonDocument.Parse(await api.GetAsync($"{DiscoveryLists[1].List}/ironlb-speaker-{node}", Ct));
            return json.RootElement.GetProperty("metadata").TryGetProperty("annotations", out var a) && a.TryGetProperty("ironlb.io/speaker-state", out var state)
                ? state.GetString()
                : null;
        }
        catch (KubeApiException)
        {
            return null;
        }
    }

    /// <summary>Removes whatever a row added: its Services, then its pools (what is not there is skipped).</summary>
    public static async Task RemoveAllAsync(MatrixLab lab)
    {
        using var api = lab.Connect();
        try
        {
            foreach (var name in await NamesAsync(api, Services, "matrix-"))
            {
                await DeleteAsync(api, $"{Services}/{name}");
            }
        }
        catch (KubeApiException)
        {
            // No matrix namespace yet: nothing to remove.
        }

        await DeleteAsync(api, $"{Pools}/{BrokenPool}");
        await DeleteAsync(api, $"{Pools}/{AutoPool}");
    }

    public static async Task<bool> DeleteAsync(KubeConnection api, string path)
    {
        try
        {
            await api.SendAsync(HttpMethod.Delete, path, null, "application/json", Ct);
            return true;
        }
        catch (KubeApiException)
        {
            return false; // already gone
        }
    }

    private static string Pool(string name, string range, bool autoAssign) => $$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{name}}}","namespace":"{{{MatrixLab.MetalLbNamespace}}}"},
         "spec":{"autoAssign":{{{(autoAssign ? "true" : "false")}}},"addresses":["{{{range}}}"]}}
        """;
}
