using System.Xml.Linq;

namespace IronLb.Tests.Install;

/// <summary>The one version of IronLB: the <c>&lt;Version&gt;</c> in Directory.Build.props, which the build stamps
/// into every assembly and the tool package.</summary>
internal static class ProductVersion
{
    public static string Declared { get; } = Read();

    private static string Read()
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        var versions = props.Descendants("Version").Select(v => v.Value.Trim()).ToList();
        Assert.True(versions.Count == 1, $"Directory.Build.props must declare <Version> exactly once, found {versions.Count}");
        return versions[0];
    }
}
