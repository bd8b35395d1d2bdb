namespace IronLb.Deploy.Tests;

/// <summary>
/// Flux's published CustomResourceDefinitions, read where shared/ sits beside the repository. They are not copied
/// into the repository: the Flux example is checked against Flux's own schemas, as they are upstream.
/// </summary>
internal static class FluxCrds
{
    public static string Folder { get; } = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "upstream", "fluxcd-crds"));

    /// <summary>The CRD files; skips the test when they are missing, but fails on CI so the suite never passes by skipping.</summary>
    public static IReadOnlyList<string> Require()
    {
        var files = Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.toolkit.fluxcd.io_*.yaml") : [];
        if (files.Length > 0)
        {
            return [.. files.Order(StringComparer.Ordinal)];
        }

        Requirements.RequireOrFailInCi($"Flux's CRDs (kustomize.toolkit.fluxcd.io_*.yaml, source.toolkit.fluxcd.io_*.yaml) are expected in {Folder}");
        return [];
    }
}
