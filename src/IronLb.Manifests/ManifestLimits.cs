namespace IronLb.Manifests;

/// <summary>Bounds the reader holds every file to, so no input can exhaust the stack or the memory.</summary>
internal static class ManifestLimits
{
    /// <summary>
    /// Nesting of mappings and sequences. Kubernetes objects, CRD schemas included, stay well below; YAML deeper
    /// than this would recurse until the stack overflows, which no catch survives.
    /// </summary>
    public const int MaxDepth = 100;
}
