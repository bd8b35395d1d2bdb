namespace IronLb.Tests.Install;

/// <summary>Runs the dotnet CLI, or a tool it installed, as a user's shell would, with extra environment.</summary>
internal static class DotnetProcess
{
    public static Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan hangGuard)
    {
        var info = ProcessRunner.DotnetStartInfo(fileName, args);
        info.WorkingDirectory = workingDirectory;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return ProcessRunner.RunAsync(info, hangGuard, cancellationToken: TestContext.Current.CancellationToken);
    }
}
