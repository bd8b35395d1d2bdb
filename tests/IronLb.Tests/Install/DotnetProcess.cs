namespace IronLb.Tests.Install;

/// <summary>Runs the dotnet CLI, or a tool it installed, as a user's shell would: the kit's runner, minus the test host's MSBuild state.</summary>
internal static class DotnetProcess
{
    public static Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan hangGuard)
    {
        var info = ProcessRunner.StartInfo(fileName, args);
        info.WorkingDirectory = workingDirectory;

        // Under `dotnet test` the host carries MSBuild's state (node handles, the SDK it resolved); a user's shell
        // does not, and a child build must not attach to the test's build nodes.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return ProcessRunner.RunAsync(info, hangGuard, cancellationToken: TestContext.Current.CancellationToken);
    }
}
