using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Admission;

/// <summary>Reserves the node ports a Service names and allocates the missing ones (and a health check port for Local traffic).</summary>
internal static class NodePortAssignment
{
    public static void Assign(JsonObject spec, string owner, ServiceAllocator allocator, List<(string, string)> errors, bool allocateMissing)
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
