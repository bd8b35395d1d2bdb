using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>What kube-apiserver's Service registry does on a dual-stack cluster whose primary family is IPv4:
/// defaults (<c>registry/core/service</c> and <c>apis/core/v1/defaults.go</c>), keeping allocated values on
/// update when the request omits them (<c>patchAllocatedValues</c>), dropping type-dependent fields, validation,
/// and cluster IP / node port allocation.</summary>
internal static class ServiceStrategy
{
    private static readonly string[] Families = ["IPv4", "IPv6"];

    public static void Admit(JsonObject svc, JsonObject? old, string owner, ServiceAllocator allocator, List<(string Field, string Message)> errors)
    {
        var spec = JsonText.Obj(svc, "spec");
        var oldSpec = old?["spec"] as JsonObject;
        spec["type"] ??= "ClusterIP";
        var type = JsonText.Str(spec, "type") ?? "ClusterIP";
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            errors.Add(("spec.type", $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
            return;
        }
        spec["sessionAffinity"] ??= "None";
        var ports = spec["ports"] as JsonArray ?? [];
        foreach (var port in ports.OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            if (type != "ExternalName")
            {
                port["targetPort"] ??= port["port"]?.DeepClone();
            }
        }
        if (oldSpec is not null)
        {
            KeepAllocated(spec, oldSpec, type);
        }
        var needsNodePorts = type == "NodePort" || (type == "LoadBalancer" && JsonText.Bool(spec["allocateLoadBalancerNodePorts"]) != false);
        if (type == "LoadBalancer")
        {
            spec["allocateLoadBalancerNodePorts"] ??= true;
        }
        else
        {
            spec.Remove("allocateLoadBalancerNodePorts");
            spec.Remove("loadBalancerClass");
        }
        if (type is "LoadBalancer" or "NodePort" || spec["externalIPs"] is JsonArray { Count: > 0 })
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }
        else
        {
            spec.Remove("externalTrafficPolicy");
        }
        if (type != "ExternalName")
        {
            spec["internalTrafficPolicy"] ??= "Cluster";
        }
        var nodePortType = type is "NodePort" or "LoadBalancer";
        if (!nodePortType)
        {
            foreach (var port in ports.OfType<JsonObject>())
            {
                port.Remove("nodePort");
            }
        }
        if (!(type == "LoadBalancer" && JsonText.Str(spec, "externalTrafficPolicy") == "Local"))
        {
            spec.Remove("healthCheckNodePort");
        }

        Validate(spec, oldSpec, type, errors);
        if (errors.Count > 0)
        {
            return;
        }
        if (type == "ExternalName")
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
            spec.Remove("ipFamilies");
            spec.Remove("ipFamilyPolicy");
        }
        else
        {
            AssignClusterIps(spec, owner, allocator, errors);
        }
        if (nodePortType)
        {
            // With allocateLoadBalancerNodePorts: false, node ports the user names are still kept and reserved.
            AssignNodePorts(spec, owner, allocator, errors, allocateMissing: needsNodePorts);
        }
    }

    /// <summary>The cluster IPs and node ports a Service holds, for the allocator's books.</summary>
    public static (IEnumerable<string> Ips, IEnumerable<int> Ports) Reservations(JsonObject? svc)
    {
        if (svc?["spec"] is not JsonObject spec)
        {
            return ([], []);
        }
        var ips = (spec["clusterIPs"] as JsonArray ?? []).Select(JsonText.Cell).Where(ip => ip is not ("" or "None")).ToList();
        var ports = (spec["ports"] as JsonArray ?? []).Select(p => JsonText.Long(p?["nodePort"])).OfType<long>().Select(p => (int)p).ToList();
        if (JsonText.Long(spec["healthCheckNodePort"]) is { } hc)
        {
            ports.Add((int)hc);
        }
        return (ips, ports);
    }

    private static void KeepAllocated(JsonObject spec, JsonObject oldSpec, string type)
    {
        if (type != "ExternalName" && JsonText.Str(oldSpec, "type") != "ExternalName")
        {
            if (spec["clusterIP"] is null && spec["clusterIPs"] is null)
            {
                spec["clusterIP"] = oldSpec["clusterIP"]?.DeepClone();
                spec["clusterIPs"] = oldSpec["clusterIPs"]?.DeepClone();
            }
            spec["ipFamilies"] ??= oldSpec["ipFamilies"]?.DeepClone();
            spec["ipFamilyPolicy"] ??= oldSpec["ipFamilyPolicy"]?.DeepClone();
        }
        var oldPorts = (oldSpec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (port["nodePort"] is null)
            {
                var match = oldPorts.FirstOrDefault(o => JsonNode.DeepEquals(o["port"], port["port"]) && JsonNode.DeepEquals(o["protocol"], port["protocol"]));
                if (match?["nodePort"] is { } nodePort)
                {
                    port["nodePort"] = nodePort.DeepClone();
                }
            }
        }
        if (spec["healthCheckNodePort"] is null && oldSpec["healthCheckNodePort"] is { } health)
        {
            spec["healthCheckNodePort"] = health.DeepClone();
        }
    }

    private static void Validate(JsonObject spec, JsonObject? oldSpec, string type, List<(string, string)> errors)
    {
        var ports = spec["ports"] as JsonArray ?? [];
        var headless = JsonText.Str(spec, "clusterIP") == "None";
        if (type != "ExternalName" && !headless && ports.Count == 0)
        {
            errors.Add(("spec.ports", "Required value"));
        }
        if (type == "ExternalName" && string.IsNullOrEmpty(JsonText.Str(spec, "externalName")))
        {
            errors.Add(("spec.externalName", "Required value"));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i] as JsonObject ?? [];
            var number = JsonText.Long(port["port"]);
            if (number is null or < 1 or > 65535)
            {
                errors.Add(($"spec.ports[{i}].port", number is null ? "Required value" : $"Invalid value: {number}: must be between 1 and 65535, inclusive"));
            }
            var name = JsonText.Str(port, "name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                errors.Add(($"spec.ports[{i}].name", "Required value"));
            }
            else if (name.Length > 0 && !names.Add(name))
            {
                errors.Add(($"spec.ports[{i}].name", $"Duplicate value: \"{name}\""));
            }
            if (JsonText.Str(port, "protocol") is not ("TCP" or "UDP" or "SCTP"))
            {
                errors.Add(($"spec.ports[{i}].protocol", $"Unsupported value: \"{JsonText.Str(port, "protocol")}\": supported values: \"SCTP\", \"TCP\", \"UDP\""));
            }
            if (JsonText.Long(port["nodePort"]) is { } nodePort && (nodePort < ServiceAllocator.NodePortMin || nodePort > ServiceAllocator.NodePortMax))
            {
                errors.Add(($"spec.ports[{i}].nodePort", $"Invalid value: {nodePort}: provided port is not in the valid range. The range of valid ports is {ServiceAllocator.NodePortMin}-{ServiceAllocator.NodePortMax}"));
            }
        }
        var policy = JsonText.Str(spec, "ipFamilyPolicy");
        if (policy is not (null or "SingleStack" or "PreferDualStack" or "RequireDualStack"))
        {
            errors.Add(("spec.ipFamilyPolicy", $"Unsupported value: \"{policy}\": supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""));
        }
        var families = (spec["ipFamilies"] as JsonArray ?? []).Select(JsonText.Cell).ToList();
        foreach (var family in families.Where(f => !Families.Contains(f)))
        {
            errors.Add(("spec.ipFamilies", $"Unsupported value: \"{family}\": supported values: \"IPv4\", \"IPv6\""));
        }
        if (families.Count == 2 && families[0] == families[1])
        {
            errors.Add(("spec.ipFamilies[1]", $"Duplicate value: \"{families[1]}\""));
        }
        if (families.Count > 1 && policy == "SingleStack")
        {
            errors.Add(("spec.ipFamilyPolicy", "Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
        }
        if (oldSpec is not null && JsonText.Str(oldSpec, "type") != "ExternalName" && type != "ExternalName")
        {
            var oldIps = oldSpec["clusterIPs"] as JsonArray;
            var newIps = spec["clusterIPs"] as JsonArray;
            var oldIp = JsonText.Str(oldSpec, "clusterIP");
            var newIp = JsonText.Str(spec, "clusterIP");
            if (oldIp is not null && newIp is not null && oldIp != newIp)
            {
                errors.Add(("spec.clusterIPs[0]", $"Invalid value: []string{{\"{newIp}\"}}: may not change once set"));
            }
            else if (oldIps is { Count: > 0 } && newIps is { Count: > 0 } && !JsonNode.DeepEquals(oldIps[0], newIps[0]))
            {
                errors.Add(("spec.clusterIPs[0]", $"Invalid value: []string{{\"{JsonText.Cell(newIps[0])}\"}}: may not change once set"));
            }
        }
    }

    private static void AssignClusterIps(JsonObject spec, string owner, ServiceAllocator allocator, List<(string, string)> errors)
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

    private static void AssignNodePorts(JsonObject spec, string owner, ServiceAllocator allocator, List<(string, string)> errors, bool allocateMissing)
    {
        var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var taken = new HashSet<int>();
        var byNumber = new Dictionary<long, int>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (JsonText.Long(ports[i]["nodePort"]) is { } requested)
            {
                if (!allocator.IsPortFree((int)requested, owner) || (!taken.Add((int)requested) && !SamePortOtherProtocol(ports, i, requested)))
                {
                    errors.Add(($"spec.ports[{i}].nodePort", $"Invalid value: {requested}: provided port is already allocated"));
                    return;
                }
            }
        }
        foreach (var port in ports.Where(p => allocateMissing && p["nodePort"] is null))
        {
            // The same service port over TCP and UDP shares one node port, as upstream allocates it.
            var number = JsonText.Long(port["port"]) ?? 0;
            if (byNumber.TryGetValue(number, out var shared))
            {
                port["nodePort"] = shared;
                continue;
            }
            var next = allocator.NextPort(taken);
            if (next is null)
            {
                errors.Add(("spec.ports", "Internal error: failed to allocate a nodePort: range is full"));
                return;
            }
            taken.Add(next.Value);
            byNumber[number] = next.Value;
            port["nodePort"] = next.Value;
        }
        if (JsonText.Str(spec, "type") == "LoadBalancer" && JsonText.Str(spec, "externalTrafficPolicy") == "Local" && spec["healthCheckNodePort"] is null)
        {
            var health = allocator.NextPort(taken);
            if (health is not null)
            {
                spec["healthCheckNodePort"] = health.Value;
            }
        }
    }

    private static bool SamePortOtherProtocol(List<JsonObject> ports, int index, long nodePort) =>
        ports.Take(index).Any(p => JsonText.Long(p["nodePort"]) == nodePort && !JsonNode.DeepEquals(p["protocol"], ports[index]["protocol"]));
}
