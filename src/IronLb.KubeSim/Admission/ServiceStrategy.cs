using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>What kube-apiserver's Service registry does on a dual-stack cluster whose primary family is IPv4, in its
/// order: defaults (<see cref="ServiceDefaults"/>), validation (<see cref="ServiceValidation"/>), then cluster IP and
/// node port allocation (<see cref="ClusterIpAssignment"/>, <see cref="NodePortAssignment"/>).</summary>
internal static class ServiceStrategy
{
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
        // What the request asked for, before the defaults fill allocateLoadBalancerNodePorts in.
        var needsNodePorts = type == "NodePort" || (type == "LoadBalancer" && JsonText.Bool(spec["allocateLoadBalancerNodePorts"]) != false);
        ServiceDefaults.Apply(spec, oldSpec, type);

        ServiceValidation.Validate(spec, oldSpec, type, errors);
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
            ClusterIpAssignment.Assign(spec, owner, allocator, errors);
        }
        if (type is "NodePort" or "LoadBalancer")
        {
            // With allocateLoadBalancerNodePorts: false, node ports the user names are still kept and reserved.
            NodePortAssignment.Assign(spec, owner, allocator, errors, allocateMissing: needsNodePorts);
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
}
