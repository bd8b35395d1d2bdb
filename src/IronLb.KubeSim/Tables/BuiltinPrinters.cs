using System.Text.Json.Nodes;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Tables;

/// <summary>The columns kubectl users know for built-in kinds, after <c>pkg/printers/internalversion/printers.go</c>
/// (1.32): the same names, priorities (<c>-o wide</c> shows priority 1) and cell formats.</summary>
internal static class BuiltinPrinters
{
    private static PrinterColumn C(string name, string type = "string", int priority = 0, string? format = null, string description = "") =>
        new(name, type, format, description, priority, "");

    private static PrinterColumn NameCol => C("Name", format: "name", description: "Name must be unique within a namespace.");

    private static PrinterColumn AgeCol => C("Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public static TableBuilder.Printer? For(ResourceType type) => (type.Group, type.Kind) switch
    {
        ("", "Service") => new([NameCol, C("Type"), C("Cluster-IP"), C("External-IP"), C("Port(s)"), AgeCol, C("Selector", priority: 1)], Service),
        ("", "Node") => new([NameCol, C("Status"), C("Roles"), AgeCol, C("Version"), C("Internal-IP", priority: 1), C("External-IP", priority: 1),
            C("OS-Image", priority: 1), C("Kernel-Version", priority: 1), C("Container-Runtime", priority: 1)], Node),
        ("", "Event") or ("events.k8s.io", "Event") => new([C("Last Seen"), C("Type"), C("Reason"), C("Object"), C("Subobject", priority: 1),
            C("Source", priority: 1), C("Message"), C("First Seen", priority: 1), C("Count", "integer", 1), C("Name", priority: 1, format: "name")], Event),
        ("", "Namespace") => new([NameCol, C("Status"), AgeCol], (o, now) => new JsonArray(Name(o), JsonText.Str(o, "status", "phase"), TableBuilder.Age(o, now))),
        ("", "Pod") => new([NameCol, C("Ready"), C("Status"), C("Restarts", "string"), AgeCol, C("IP", priority: 1), C("Node", priority: 1),
            C("Nominated Node", priority: 1), C("Readiness Gates", priority: 1)], Pod),
        ("", "ConfigMap") => new([NameCol, C("Data", "integer"), AgeCol], (o, now) => new JsonArray(Name(o), Count(o["data"]) + Count(o["binaryData"]), TableBuilder.Age(o, now))),
        ("", "Secret") => new([NameCol, C("Type"), C("Data", "integer"), AgeCol], (o, now) => new JsonArray(Name(o), JsonText.Str(o, "type") ?? "Opaque", Count(o["data"]), TableBuilder.Age(o, now))),
        ("", "Endpoints") => new([NameCol, C("Endpoints"), AgeCol], Endpoints),
        ("", "ServiceAccount") => new([NameCol, C("Secrets", "integer"), AgeCol], (o, now) => new JsonArray(Name(o), (o["secrets"] as JsonArray)?.Count ?? 0, TableBuilder.Age(o, now))),
        ("discovery.k8s.io", "EndpointSlice") => new([NameCol, C("AddressType"), C("Ports"), C("Endpoints"), AgeCol], EndpointSlice),
        ("coordination.k8s.io", "Lease") => new([NameCol, C("Holder"), AgeCol], (o, now) => new JsonArray(Name(o), JsonText.Str(o, "spec", "holderIdentity") ?? "", TableBuilder.Age(o, now))),
        _ => null,
    };

    private static string? Name(JsonObject o) => JsonText.Str(o, "metadata", "name");

    private static int Count(JsonNode? node) => (node as JsonObject)?.Count ?? 0;

    private static JsonArray Service(JsonObject o, DateTimeOffset now)
    {
        var spec = o["spec"] as JsonObject ?? [];
        var type = JsonText.Str(spec, "type") ?? "ClusterIP";
        var clusterIp = JsonText.Str(spec, "clusterIP");
        var externalIps = (spec["externalIPs"] as JsonArray ?? []).Select(JsonText.Cell).ToList();
        string external;
        switch (type)
        {
            case "LoadBalancer":
                var ingress = (o["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(i => JsonText.Str(i, "ip") ?? JsonText.Str(i, "hostname") ?? "").Where(s => s.Length > 0).Concat(externalIps).ToList();
                external = ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
                break;
            case "ExternalName":
                external = JsonText.Str(spec, "externalName") ?? "<none>";
                break;
            default:
                external = externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
                break;
        }
        var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p =>
        {
            var port = JsonText.Cell(p["port"]);
            var protocol = JsonText.Str(p, "protocol") ?? "TCP";
            return p["nodePort"] is { } nodePort ? $"{port}:{JsonText.Cell(nodePort)}/{protocol}" : $"{port}/{protocol}";
        }).ToList();
        var selector = spec["selector"] as JsonObject;
        var selectorText = selector is null || selector.Count == 0
            ? "<none>"
            : string.Join(",", selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={JsonText.Cell(p.Value)}"));
        return new JsonArray(Name(o), type, string.IsNullOrEmpty(clusterIp) ? "<none>" : clusterIp, external,
            ports.Count > 0 ? string.Join(",", ports) : "<none>", TableBuilder.Age(o, now), selectorText);
    }

    private static JsonArray Node(JsonObject o, DateTimeOffset now)
    {
        var conditions = o["status"]?["conditions"] as JsonArray ?? [];
        var ready = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonText.Str(c, "type") == "Ready");
        var status = JsonText.Str(ready, "status") switch
        {
            "True" => "Ready",
            "False" => "NotReady",
            _ => "Unknown",
        };
        if (JsonText.Bool(o["spec"]?["unschedulable"]) == true)
        {
            status += ",SchedulingDisabled";
        }
        var labels = o["metadata"]?["labels"] as JsonObject ?? [];
        var roles = labels.Select(p => p.Key).Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(k => k["node-role.kubernetes.io/".Length..]).Where(r => r.Length > 0).Order(StringComparer.Ordinal).ToList();
        var addresses = (o["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        string Address(string kind) => addresses.Where(a => JsonText.Str(a, "type") == kind).Select(a => JsonText.Str(a, "address")).FirstOrDefault() ?? "<none>";
        var info = o["status"]?["nodeInfo"];
        return new JsonArray(Name(o), status, roles.Count > 0 ? string.Join(",", roles) : "<none>", TableBuilder.Age(o, now),
            JsonText.Str(info, "kubeletVersion") ?? "", Address("InternalIP"), Address("ExternalIP"),
            JsonText.Str(info, "osImage") ?? "<unknown>", JsonText.Str(info, "kernelVersion") ?? "<unknown>",
            JsonText.Str(info, "containerRuntimeVersion") ?? "<unknown>");
    }

    private static JsonArray Event(JsonObject o, DateTimeOffset now)
    {
        // Stored events are core/v1; events.k8s.io rows are converted back for printing.
        if (JsonText.Str(o, "apiVersion") == "events.k8s.io/v1")
        {
            o = Admission.EventConversion.ToCore(o);
        }
        string Since(params string?[] stamps) =>
            stamps.Select(Time.Parse).FirstOrDefault(t => t is not null) is { } t ? Time.HumanDuration(now - t) : "<unknown>";
        var involved = o["involvedObject"] as JsonObject ?? [];
        var lastSeen = Since(JsonText.Str(o, "series", "lastObservedTime"), JsonText.Str(o, "lastTimestamp"), JsonText.Str(o, "eventTime"));
        var firstSeen = Since(JsonText.Str(o, "firstTimestamp"), JsonText.Str(o, "eventTime"));
        var component = JsonText.Str(o, "source", "component") ?? JsonText.Str(o, "reportingComponent") ?? "";
        var host = JsonText.Str(o, "source", "host") ?? JsonText.Str(o, "reportingInstance") ?? "";
        var source = host.Length > 0 ? $"{component}, {host}" : component;
        var count = JsonText.Long(o["series"]?["count"]) ?? JsonText.Long(o["count"]) ?? 1;
        return new JsonArray(lastSeen, JsonText.Str(o, "type") ?? "", JsonText.Str(o, "reason") ?? "",
            $"{(JsonText.Str(involved, "kind") ?? "").ToLowerInvariant()}/{JsonText.Str(involved, "name")}",
            JsonText.Str(involved, "fieldPath") ?? "", source, JsonText.Str(o, "message") ?? "", firstSeen, count, Name(o));
    }

    private static JsonArray Pod(JsonObject o, DateTimeOffset now)
    {
        var containers = (o["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var statuses = (o["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var ready = statuses.Count(s => JsonText.Bool(s["ready"]) == true);
        var restarts = statuses.Sum(s => JsonText.Long(s["restartCount"]) ?? 0);
        var phase = JsonText.Str(o, "status", "reason") ?? JsonText.Str(o, "status", "phase") ?? "Unknown";
        if (o["metadata"]?["deletionTimestamp"] is not null)
        {
            phase = "Terminating";
        }
        return new JsonArray(Name(o), $"{ready}/{containers}", phase, restarts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TableBuilder.Age(o, now), JsonText.Str(o, "status", "podIP") ?? "<none>", JsonText.Str(o, "spec", "nodeName") ?? "<none>",
            JsonText.Str(o, "status", "nominatedNodeName") ?? "<none>", "<none>");
    }

    private static JsonArray Endpoints(JsonObject o, DateTimeOffset now)
    {
        var list = new List<string>();
        foreach (var subset in (o["subsets"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var ports = (subset["ports"] as JsonArray ?? []).Select(p => JsonText.Cell(p?["port"])).DefaultIfEmpty("").ToList();
            foreach (var address in (subset["addresses"] as JsonArray ?? []).Select(a => JsonText.Str(a, "ip")))
            {
                list.AddRange(ports.Select(p => p.Length > 0 ? $"{address}:{p}" : address ?? ""));
            }
        }
        return new JsonArray(Name(o), Summarise(list), TableBuilder.Age(o, now));
    }

    private static JsonArray EndpointSlice(JsonObject o, DateTimeOffset now)
    {
        var ports = (o["ports"] as JsonArray ?? []).Select(p => JsonText.Cell(p?["port"])).ToList();
        var addresses = (o["endpoints"] as JsonArray ?? []).SelectMany(e => e?["addresses"] as JsonArray ?? []).Select(JsonText.Cell).ToList();
        return new JsonArray(Name(o), JsonText.Str(o, "addressType") ?? "", ports.Count > 0 ? string.Join(",", ports) : "<unset>",
            Summarise(addresses, "<unset>"), TableBuilder.Age(o, now));
    }

    /// <summary>kubectl's <c>formatEndpoints</c>: the first three, then "+ N more...".</summary>
    private static string Summarise(List<string> items, string empty = "<none>") => items.Count switch
    {
        0 => empty,
        <= 3 => string.Join(",", items),
        _ => $"{string.Join(",", items.Take(3))} + {items.Count - 3} more...",
    };
}
