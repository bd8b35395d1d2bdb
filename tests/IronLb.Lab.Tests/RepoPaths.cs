namespace IronLb.Lab.Tests;

/// <summary>The repository (the folder holding IronLb.slnx) and the built ironlb-lab under it.</summary>
internal static class RepoPaths
{
    public static string Root => IronLb.Testing.Repository.Root;

    public static string ExampleLab => Path.Combine(Root, "examples", "lab");

    public static string Crds => Path.Combine(Root, "deploy", "crds");

    /// <summary>src/IronLb.Lab/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ironlb-lab.dll, built with this project (see the csproj).</summary>
    public static string IronLbLabDll
    {
        get
        {
            // tests/IronLb.Lab.Tests/bin/<Configuration>/<tfm>/ -> src/IronLb.Lab/bin/<Configuration>/<tfm>/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            return Path.Combine(Root, "src", "IronLb.Lab", "bin", dir.Parent!.Name, dir.Name, "ironlb-lab.dll");
        }
    }
}
