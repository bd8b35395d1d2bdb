using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>Settles a Service's IP families and policy and gives it the cluster IPs it asks for, or the next free ones.</summary>
internal static class ClusterIpAssignment
{
    public static void Assign(JsonObject spec, string owner, ServiceAllocator allocator, List<(string, string)> errors)
    {
        var requested = (spec["clusterIPs"] as JsonArray ?? []).Select(JsonText.Cell).Where(s => s.Length > 0).ToList();
        var single = JsonText.Str(spec, "clusterIP");
        if (requested.Count == 0 && !string.IsNullOrEmpty(single))
        {
            requested.Add(single);
        }
        var headless = requested.Count > 0 && requested[0] == "None";
        var families = (spec["ipFamilies"] as JsonArray ?? []).Select(JsonText.Cell).ToList();
        var policy = JsonText.Str(spec, "ipFamilyPolicy");
        if (policy is null)
        {
            policy = requested.Count == 2 || families.Count == 2 ? "RequireDualStack" : "SingleStack";
            if (families.Count == 2 && requested.Count < 2)
            {
                errors.Add(("spec.ipFamilyPolicy", "Required value: must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
                return;
            }
        }
        if (families.Count == 0)
        {
            foreach (var ip in requested.Where(ip => ip != "None"))
            {
                families.Add(IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4");
            }
            if (families.Count == 0)
            {
                families.Add("IPv4");
            }
        }
        if (policy != "SingleStack" && families.Count == 1)
        {
            families.Add(families[0] == "IPv4" ? "IPv6" : "IPv4");
        }
        if (policy == "SingleStack" && families.Count > 1)
        {
            families.RemoveRange(1, families.Count - 1);
        }
        spec["ipFamilyPolicy"] = policy;
        spec["ipFamilies"] = JsonText.StringArray(families);
        if (headless)
        {
            spec["clusterIP"] = "None";
            spec["clusterIPs"] = new JsonArray("None");
            return;
        }
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        for (var i = 0; i < families.Count; i++)
        {
            var ipv6 = families[i] == "IPv6";
            if (i < requested.Count)
            {
                if (!IPAddress.TryParse(requested[i], out var parsed) || (parsed.AddressFamily == AddressFamily.InterNetworkV6) != ipv6)
                {
                    errors.Add(($"spec.clusterIPs[{i}]", $"Invalid value: \"{requested[i]}\": expected an {families[i]} value as indicated by `ipFamilies[{i}]`"));
                    return;
                }
                if (!ServiceAllocator.InRange(parsed))
                {
                    errors.Add(("spec.clusterIPs", $"Invalid value: []string{{\"{requested[i]}\"}}: failed to allocate IP {requested[i]}: the provided IP ({requested[i]}) is not in the valid range. The range of valid IPs is {(ipv6 ? ServiceAllocator.V6Cidr : ServiceAllocator.V4Cidr)}"));
                    return;
                }
                var canonical = parsed.ToString();
                if (!allocator.IsIpFree(canonical, owner))
                {
                    errors.Add(("spec.clusterIPs", $"Invalid value: []string{{\"{requested[i]}\"}}: failed to allocate IP {requested[i]}: provided IP is already allocated"));
                    return;
                }
                taken.Add(canonical);
                result.Add(canonical);
                continue;
            }
            var next = allocator.NextIp(ipv6, taken);
            if (next is null)
            {
                errors.Add(("spec.clusterIPs", $"Internal error: failed to allocate a serviceIP: range is full ({families[i]})"));
                return;
            }
            taken.Add(next);
            result.Add(next);
        }
        spec["clusterIP"] = result[0];
        spec["clusterIPs"] = JsonText.StringArray(result);
    }
}
