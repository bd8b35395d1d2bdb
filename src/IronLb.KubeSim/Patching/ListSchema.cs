using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Patching;

internal enum ListKind
{
    /// <summary>Replaced whole by patches; one field for server-side apply (the default, and every CRD list here).</summary>
    Atomic,

    /// <summary>A set of scalars, merged by value (<c>metadata.finalizers</c>).</summary>
    Set,

    /// <summary>A list of objects merged by key fields (<c>spec.ports</c> by port and protocol).</summary>
    Map,
}

/// <summary>The list strategies of the built-in types that kubectl and IronLB touch, from the Go struct tags
/// (<c>patchMergeKey</c>, <c>listType</c>, <c>listMapKey</c>) of k8s.io/api 1.32. Paths are dotted field names
/// without indexes (<c>spec.template.spec.containers.ports</c>); strategic merge patch uses the first key.
/// Custom resources take theirs from the CRD schema (<c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>).</summary>
internal sealed class ListSchema
{
    private static readonly (ListKind, ImmutableArray<string>) Atomic = (ListKind.Atomic, []);

    private readonly string _kind;
    private readonly bool _builtIn;
    private readonly JsonObject? _schema;

    private ListSchema(string kind, bool builtIn, JsonObject? schema)
    {
        _kind = kind;
        _builtIn = builtIn;
        _schema = schema;
    }

    public static ListSchema For(ResourceType type) => new(type.Kind, !type.IsCustom, type.Schema);

    public (ListKind Kind, ImmutableArray<string> Keys) Describe(string path) =>
        _builtIn ? Builtin(_kind, path) : FromCrd(_schema, path);

    private static (ListKind Kind, ImmutableArray<string> Keys) FromCrd(JsonObject? schema, string path)
    {
        if (Metadata(path) is { } meta)
        {
            return meta;
        }
        JsonNode? node = schema;
        foreach (var part in path.Split('.'))
        {
            // Inside a list the path continues into its items.
            if (node?["type"]?.GetValue<string>() == "array")
            {
                node = node["items"];
            }
            node = node?["properties"]?[part];
        }
        return node?["x-kubernetes-list-type"]?.GetValue<string>() switch
        {
            "map" => (ListKind.Map, [.. (node["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => k?.GetValue<string>() ?? "")]),
            "set" => (ListKind.Set, []),
            _ => Atomic,
        };
    }

    private static (ListKind, ImmutableArray<string>)? Metadata(string path) => path switch
    {
        "metadata.finalizers" => (ListKind.Set, []),
        "metadata.ownerReferences" => (ListKind.Map, ["uid"]),
        _ => null,
    };

    public static (ListKind Kind, ImmutableArray<string> Keys) Builtin(string kind, string path)
    {
        if (Metadata(path) is { } meta)
        {
            return meta;
        }
        var dot = path.LastIndexOf('.');
        var last = dot < 0 ? path : path[(dot + 1)..];
        var parent = dot < 0 ? "" : path[..dot];
        var parentLast = parent[(parent.LastIndexOf('.') + 1)..];
        return last switch
        {
            "ports" when kind == "Service" && path == "spec.ports" => (ListKind.Map, ["port", "protocol"]),
            "ports" when parentLast is "containers" or "initContainers" or "ephemeralContainers" => (ListKind.Map, ["containerPort", "protocol"]),
            "containers" or "initContainers" or "ephemeralContainers" or "volumes" or "imagePullSecrets" or "env" => (ListKind.Map, ["name"]),
            "volumeMounts" => (ListKind.Map, ["mountPath"]),
            "volumeDevices" => (ListKind.Map, ["devicePath"]),
            "hostAliases" or "podIPs" => (ListKind.Map, ["ip"]),
            "conditions" when path.StartsWith("status.", StringComparison.Ordinal) => (ListKind.Map, ["type"]),
            "addresses" when kind == "Node" => (ListKind.Map, ["type"]),
            "topologySpreadConstraints" => (ListKind.Map, ["topologyKey", "whenUnsatisfiable"]),
            "podCIDRs" => (ListKind.Set, []),
            _ => Atomic,
        };
    }

    /// <summary>Default values of key fields, so <c>{port: 80}</c> and <c>{port: 80, protocol: TCP}</c> are one entry
    /// (structured-merge-diff honours defaulted list-map keys since Kubernetes 1.20).</summary>
    public static string? KeyDefault(string key) => key == "protocol" ? "TCP" : null;
}
