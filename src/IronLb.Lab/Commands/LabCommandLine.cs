using System.CommandLine;
using IronLb.CommandLine;
using IronLb.Lab.Operations;

namespace IronLb.Lab.Commands;

/// <summary>
/// The `ironlb-lab` command tree and how a command line is checked before anything runs: unknown options
/// and bad values exit with <see cref="LabExit.Usage"/>, reported as `ironlb` reports them.
/// </summary>
internal static class LabCommandLine
{
    public static RootCommand Create() =>
        new("IronLB lab: a whole IronLB cluster on one Linux machine (KubeSim, node network namespaces, controller, speakers).")
        {
            ApiServerCommand.Create(),
            UpCommand.Create(),
            StatusCommand.Create(),
            ProcessCommands.KillSpeaker(),
            ProcessCommands.RestartSpeaker(),
            ProcessCommands.RestartController(),
            FaultCommands.Pause(),
            FaultCommands.Resume(),
            FaultCommands.ControllerReplicas(),
            HostCommands.Create(),
            ExecCommand.Create(),
            DownCommand.Create(),
        };

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (UsageErrors.Parse(Create(), "ironlb-lab", args, error) is not { } parse)
        {
            return LabExit.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }
}
