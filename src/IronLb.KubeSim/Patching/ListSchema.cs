using System.Collections.Immutable;

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
/// without indexes (<c>spec.template.spec.containers.ports</c>); strategic merge patch uses the first key.</summary>
internal static class ListSchema
{
    private static readonly (ListKind, ImmutableArray<string>) Atomic = (ListKind.Atomic, []);

    public static (ListKind Kind, ImmutableArray<string> Keys) Describe(string kind, bool builtIn, string path)
    {
        if (path is "metadata.finalizers")
        {
            return (ListKind.Set, []);
        }
        if (path is "metadata.ownerReferences")
        {
            return (ListKind.Map, ["uid"]);
        }
        if (!builtIn)
        {
            return Atomic;
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
