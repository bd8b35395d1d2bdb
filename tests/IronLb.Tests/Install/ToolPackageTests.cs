using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace IronLb.Tests.Install;

/// <summary>
/// The install story of docs/install.md, as a user runs it: `dotnet pack` makes the IronLb tool package, `dotnet
/// tool install` puts it into a tool path, and the installed `ironlb` runs `plan` on the campus. Everything happens
/// in a temporary folder, and NuGet sees no source but the folder the package was packed into.
/// </summary>
[Trait("Category", Category.Slow)]
public sealed partial class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("ironlb-tool-");

    [Fact]
    public async Task Packed_tool_installs_from_a_local_folder_and_plans_the_campus()
    {
        var feed = Path.Combine(_temp.FullName, "feed");
        var tools = Path.Combine(_temp.FullName, "tools");

        // The test project references src/IronLb, so its build output is there in this configuration: pack it
        // without building it again (a Release build would double the time on a busy machine).
        var pack = await DotnetAsync(
            "pack", Path.Combine(RepoPaths.Root, "src", "IronLb", "IronLb.csproj"), "--no-build", "-c", BuildConfiguration(),
            "-o", feed, $"-p:PublishDir={Path.Combine(_temp.FullName, "publish")}/");
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.True(File.Exists(Path.Combine(feed, $"IronLb.{ProductVersion.Declared}.nupkg")), $"pack wrote {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}\n{pack}");

        // A nuget.config that clears every source: the install may reach nothing but the folder it is given.
        var config = Path.Combine(_temp.FullName, "nuget.config");
        await File.WriteAllTextAsync(config, """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        var install = await DotnetAsync(
            "tool", "install", "IronLb", "--version", ProductVersion.Declared, "--tool-path", tools, "--add-source", feed, "--configfile", config);
        Assert.True(install.ExitCode == 0, install.ToString());

        var ironlb = Path.Combine(tools, "ironlb");
        var plan = await ToolAsync(ironlb, "plan", "examples/campus");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var pools = plan.Stdout.Split('\n').Select(l => Spaces().Replace(l.Trim(), " ")).ToList();
        Assert.Contains("external false IPv4 36 14 22", pools);
        Assert.Contains("office false IPv4 65536 1 65535", pools);
        Assert.Contains("0 errors", plan.Stdout, StringComparison.Ordinal);

        var version = await ToolAsync(ironlb, "--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches($"^{Regex.Escape(ProductVersion.Declared)}(\\+[0-9a-f]+)?$", version.Stdout.Trim());
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private Task<ProcessResult> DotnetAsync(params string[] args) =>
        DotnetProcess.RunAsync("dotnet", args, _temp.FullName, new Dictionary<string, string>
        {
            // Extracted packages stay in the temporary folder: a cached IronLb of the same version in the user's
            // global folder would otherwise be installed instead of the one just packed.
            ["NUGET_PACKAGES"] = Path.Combine(_temp.FullName, "packages"),
        }, HangGuard);

    /// <summary>The installed tool's launcher finds the runtime the way a user's does: DOTNET_ROOT, set to the
    /// runtime this test runs on, stands in for the profile line docs/install.md asks for when .NET is not in its
    /// default place.</summary>
    private static Task<ProcessResult> ToolAsync(string tool, params string[] args) =>
        DotnetProcess.RunAsync(tool, args, RepoPaths.Root, new Dictionary<string, string>
        {
            ["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..")),
        }, HangGuard);

    private static string BuildConfiguration() =>
        typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
        ?? throw new InvalidOperationException("the test assembly names no build configuration");

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();
}
