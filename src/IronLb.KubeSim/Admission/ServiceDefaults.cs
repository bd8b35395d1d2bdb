using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>Service defaults (<c>registry/core/service</c> and <c>apis/core/v1/defaults.go</c>), keeping allocated values on
/// update when the request omits them (<c>patchAllocatedValues</c>), and dropping fields the type does not have.</summary>
internal static class ServiceDefaults
{
    public static void Apply(JsonObject spec, JsonObject? oldSpec, string type)
    {
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
}
