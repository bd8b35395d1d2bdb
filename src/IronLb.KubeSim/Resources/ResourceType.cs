using System.Collections.Immutable;

namespace IronLb.KubeSim.Resources;

/// <summary>How the write pipeline treats a kind: the per-kind strategies of kube-apiserver's registries.</summary>
internal enum KindBehaviour
{
    Generic,
    Namespace,
    Service,
    Node,
    Pod,
    Event,
    CustomResourceDefinition,
    CustomResource,

    /// <summary>Create-only reviews answered at once and never stored (SelfSubjectAccessReview).</summary>
    Review,
}

/// <summary>A CRD <c>additionalPrinterColumns</c> entry, or a built-in printer's column.</summary>
internal sealed record PrinterColumn(string Name, string Type, string? Format, string Description, int Priority, string JsonPath);

/// <summary>One servable resource at one group-version. Several versions of a CRD share a <see cref="StorageKey"/>,
/// and <c>events.k8s.io/v1</c> shares the core events store, as upstream does.</summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    public ImmutableArray<string> ShortNames { get; init; } = [];

    public ImmutableArray<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    /// <summary>Whether <c>metadata.generation</c> is maintained (custom resources, CRDs).</summary>
    public bool HasGeneration { get; init; }

    public KindBehaviour Behaviour { get; init; }

    /// <summary>CRD printer columns; empty for built-ins, which have printers in code.</summary>
    public ImmutableArray<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>Extra field-selector paths beyond <c>metadata.name</c>/<c>metadata.namespace</c>.</summary>
    public ImmutableArray<string> SelectableFields { get; init; } = [];

    /// <summary>A CRD version's <c>openAPIV3Schema</c>, for pruning and defaults.</summary>
    public System.Text.Json.Nodes.JsonObject? Schema { get; init; }

    /// <summary>The served objects are stored in the core-v1 shape and converted on the way in and out.</summary>
    public bool IsEventsV1 { get; init; }

    public string? StorageKeyOverride { get; init; }

    public string StorageKey => StorageKeyOverride ?? $"{Group}/{Plural}";

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>Custom resources refuse an unconditional update (apiextensions <c>AllowUnconditionalUpdate() == false</c>).</summary>
    public bool RequiresResourceVersionOnUpdate => Behaviour == KindBehaviour.CustomResource;

    public bool IsCustom => Behaviour == KindBehaviour.CustomResource;

    public ImmutableArray<string> Verbs { get; init; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
