using IronLb.Testing.Manifests;

namespace IronLb.Deploy.Tests.Smoke;

/// <summary>The file-mode speaker's folder: one pool announced on eno2, one Node, one file per Service.</summary>
internal static class Manifests
{
    public static string PoolAndNode(string pool, string node) =>
        ManifestYaml.Join(ManifestYaml.PoolAnnouncedOn("external", "eno2", pool), ManifestYaml.Node(node));

    public static string Service(string name, string address) => ManifestYaml.Service("web", name, [address], 80);

    /// <summary>Write-then-rename, as editors and GitOps tools replace files, so the speaker never reads half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
