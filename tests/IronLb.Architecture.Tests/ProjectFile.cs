using System.Collections.Immutable;
using System.Xml.Linq;

namespace IronLb.Architecture.Tests;

/// <summary>One src/ project's declared references, read from its .csproj as MSBuild items (not resolved).</summary>
internal sealed record ProjectFile(string Name, ImmutableSortedSet<string> Projects, ImmutableSortedSet<string> Packages, ImmutableSortedSet<string> Frameworks)
{
    public static string SourceRoot => Path.Combine(Repository.Root, "src");

    /// <summary>Every project under src/, by name (IronLb.Core, ...).</summary>
    public static ImmutableSortedDictionary<string, ProjectFile> All() =>
        Directory.EnumerateFiles(SourceRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Select(Read)
            .ToImmutableSortedDictionary(p => p.Name, p => p, StringComparer.Ordinal);

    public static ProjectFile Read(string path)
    {
        var xml = XDocument.Load(path);
        ImmutableSortedSet<string> Items(string kind, Func<string, string> name) =>
            [.. xml.Descendants(kind).Select(e => (string?)e.Attribute("Include")).OfType<string>().Select(name)];

        return new ProjectFile(
            Path.GetFileNameWithoutExtension(path),
            Items("ProjectReference", include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/'))),
            Items("PackageReference", include => include),
            Items("FrameworkReference", include => include));
    }
}
