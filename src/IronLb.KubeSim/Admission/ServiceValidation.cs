using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>The Service field checks kube-apiserver makes after defaulting, with its messages.</summary>
internal static class ServiceValidation
{
    private static readonly string[] Families = ["IPv4", "IPv6"];

    public static void Validate(JsonObject spec, JsonObject? oldSpec, string type, List<(string, string)> errors)
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
}
