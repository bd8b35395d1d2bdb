using System.Runtime.InteropServices;
using System.Text.Json;

namespace IronLb.Bench;

/// <summary>
/// The files an `ironlb` build or publish needs to run on a node, beside whatever runtime it relies on:
/// for a build with ironlb.dll, the apphost, ironlb.dll, its deps.json and runtimeconfig.json and every
/// assembly and native library the deps.json names for this platform (the package and project assemblies,
/// and for a self-contained publish the runtime too), not everything else in the folder; for a single-file
/// publish, the file and the native libraries beside it. The shared .NET runtime a framework-dependent build
/// runs on is not counted: <see cref="MappedFiles"/> shows what is loaded from it. A wrapper script (how a variant
/// sets environment variables) counts as itself plus the ironlb it execs.
/// </summary>
internal static class AppFiles
{
    public static IReadOnlyList<FileInfo> Of(string ironlb)
    {
        if (WrappedBy(ironlb) is { } wrapped)
        {
            return [new FileInfo(ironlb), .. Of(wrapped)];
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(ironlb))!;
        var deps = Path.Combine(folder, "ironlb.deps.json");
        if (!File.Exists(Path.Combine(folder, "ironlb.dll")) || !File.Exists(deps))
        {
            return [new FileInfo(ironlb), .. Directory.EnumerateFiles(folder, "*.so").Select(f => new FileInfo(f))];
        }

        var paths = new SortedSet<string>(StringComparer.Ordinal)
        {
            Path.Combine(folder, "ironlb"),
            Path.Combine(folder, "ironlb.dll"),
            deps,
            Path.Combine(folder, "ironlb.runtimeconfig.json"),
        };
        paths.UnionWith(DepsFiles(folder, deps));
        return [.. paths.Where(File.Exists).Select(p => new FileInfo(p))];
    }

    /// <summary>For a script (#!), the first existing absolute path named ironlb* on an `exec` line; else null.</summary>
    private static string? WrappedBy(string path)
    {
        using (var file = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[2];
            if (file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2 || !magic.SequenceEqual("#!"u8))
            {
                return null;
            }
        }

        return File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("exec ", StringComparison.Ordinal))
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            .Select(word => word.Trim('\'', '"'))
            .FirstOrDefault(word => Path.IsPathRooted(word) && Path.GetFileName(word).StartsWith("ironlb", StringComparison.Ordinal) && File.Exists(word) && word != Path.GetFullPath(path));
    }

    /// <summary>
    /// The "runtime" and "native" assets of every library (copied flat into the app folder), and the
    /// "runtimeTargets" for this platform's runtime identifiers (kept under runtimes/RID/).
    /// </summary>
    private static List<string> DepsFiles(string folder, string deps)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(deps));
        var rids = new HashSet<string>(StringComparer.Ordinal) { RuntimeInformation.RuntimeIdentifier, "linux", "unix", "any" };
        var files = new List<string>();
        foreach (var target in document.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                foreach (var section in new[] { "runtime", "native" })
                {
                    if (library.Value.TryGetProperty(section, out var assets))
                    {
                        files.AddRange(assets.EnumerateObject().Select(a => Path.Combine(folder, Path.GetFileName(a.Name))));
                    }
                }

                if (library.Value.TryGetProperty("runtimeTargets", out var targets))
                {
                    files.AddRange(targets.EnumerateObject()
                        .Where(a => a.Value.TryGetProperty("rid", out var rid) && rids.Contains(rid.GetString() ?? ""))
                        .Select(a => Path.Combine(folder, a.Name)));
                }
            }
        }

        return files;
    }
}
