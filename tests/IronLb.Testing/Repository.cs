namespace IronLb.Testing;

/// <summary>The repository: the folder holding IronLb.slnx, found upwards from the test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

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
