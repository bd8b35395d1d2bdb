using System.Collections.Immutable;

namespace IronLb.Lab.Processes;

/// <summary>
/// How the lab starts programs: `ironlb` (the product) and `ironlb-lab` itself (for the API server). A
/// framework-dependent .dll is started through the dotnet host; an apphost directly.
/// </summary>
internal static class Executables
{
    /// <summary>
    /// `ironlb` from <paramref name="explicitPath"/> (a file or folder), else from the ironlb-build/ folder beside
    /// ironlb-lab (the build copies ironlb's whole output there), else the repository's own build output above
    /// this binary.
    /// </summary>
    public static ImmutableArray<string>? FindIronLb(string? explicitPath, out string searched)
    {
        var candidates = new List<string>();
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath);
            candidates.AddRange(Directory.Exists(full) ? [Path.Combine(full, "ironlb"), Path.Combine(full, "ironlb.dll")] : [full]);
        }
        else
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "ironlb-build");
            candidates.Add(Path.Combine(beside, "ironlb"));
            candidates.Add(Path.Combine(beside, "ironlb.dll"));
            if (RepositoryRoot() is { } root)
            {
                foreach (var configuration in new[] { "Debug", "Release" })
                {
                    candidates.Add(Path.Combine(root, "src", "IronLb", "bin", configuration, "net10.0", "ironlb.dll"));
                }
            }
        }

        searched = string.Join(", ", candidates);
        return candidates.FirstOrDefault(File.Exists) is { } found ? Launch(found) : null;
    }

    /// <summary>This very program, for starting its own `apiserver` command as a separate process.</summary>
    public static ImmutableArray<string> Self()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ironlb-lab.dll");
        var apphost = Path.Combine(AppContext.BaseDirectory, "ironlb-lab");
        return File.Exists(apphost) ? [apphost] : [DotnetHost(), dll];
    }

    /// <summary>[path] for an apphost or any other executable, [dotnet, path] for a .dll.</summary>
    public static ImmutableArray<string> Launch(string path) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [DotnetHost(), path] : [path];

    /// <summary>The dotnet host running us when that is dotnet (so sudo's reset PATH does not matter), else the one on PATH.</summary>
    public static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.Combine(new DirectoryInfo(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/')).Parent!.Parent!.Parent!.FullName, "dotnet");
    }

    /// <summary>The folder holding IronLb.slnx above this binary or the current directory, for defaults such as examples/lab.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "IronLb.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
