namespace IronLb.Manifests.Tests;

/// <summary>Finds the repository (the folder holding IronLb.slnx) so tests can read examples/.</summary>
internal static class RepoPaths
{
    public static string Root => Repository.Root;

    public static string Campus => Path.Combine(Root, "examples", "campus");
}
