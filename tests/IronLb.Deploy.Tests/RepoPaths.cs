namespace IronLb.Deploy.Tests;

/// <summary>Finds the repository (the folder holding IronLb.slnx) so tests can render deploy/.</summary>
internal static class RepoPaths
{
    public static string Root => IronLb.Testing.Repository.Root;

    public static string Deploy => Path.Combine(Root, "deploy");
}
