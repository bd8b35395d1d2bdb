using System.Text.Json;
using IronLb.Lab.Processes;

namespace IronLb.Lab.Tests.Processes;

/// <summary>
/// The `ironlb` the lab starts when not told which: its folder must hold every assembly its deps.json names.
/// Copied beside ironlb-lab instead, ironlb lost its Microsoft.Extensions.* assemblies to the API server's ASP.NET
/// Core framework reference, and every controller and speaker of every lab exited at start-up.
/// </summary>
public sealed class DefaultIronLbTests
{
    [Fact]
    public void The_default_ironlb_folder_holds_every_assembly_its_deps_file_names()
    {
        var launch = Executables.FindIronLb(null, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}");
        var folder = Path.GetDirectoryName(launch[^1])!;
        var deps = Path.Combine(folder, "ironlb.deps.json");
        Assert.True(File.Exists(deps), $"{deps} missing");

        using var document = JsonDocument.Parse(File.ReadAllText(deps));
        var libraries = document.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var assemblies = libraries.EnumerateObject()
            .Where(library => library.Value.TryGetProperty("runtime", out _))
            .SelectMany(library => library.Value.GetProperty("runtime").EnumerateObject().Select(file => Path.GetFileName(file.Name)))
            .ToList();

        Assert.Contains("Microsoft.Extensions.Logging.Abstractions.dll", assemblies);
        Assert.All(assemblies, name => Assert.True(File.Exists(Path.Combine(folder, name)), $"{name} is not in {folder}"));
    }
}
