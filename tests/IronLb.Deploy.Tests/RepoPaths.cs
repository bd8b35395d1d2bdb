namespace IronLb.Deploy.Tests;

/// <summary>Finds the repository (the folder holding IronLb.slnx) so tests can render deploy/.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IronLb.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IronLb.slnx not found above " + AppContext.BaseDirectory);
    }
}
