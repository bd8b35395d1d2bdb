using System.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Commands;

/// <summary><c>ironlb-lab down --name NAME</c>: removes everything the lab made; safe to repeat.</summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var name = LabOptions.Name();
        var keepLogs = new Option<bool>("--keep-logs") { Description = "Keep the processes' log files in the state directory." };
        var verbose = new Option<bool>("--verbose") { Description = "Print every command run on the machine (ip, sh)." };
        var command = new Command("down", "Stop a lab's processes and remove its namespaces, links and files, also after a failed or crashed `up`.")
        {
            name, keepLogs, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!await LabOptions.RequireRootAsync().ConfigureAwait(false))
            {
                return LabExit.Failed;
            }

            CommandRunner.Verbose = result.GetValue(verbose);
            try
            {
                return await DownOperation.RunAsync(LabNames.Create(result.GetValue(name)!), StateStore.DefaultRoot, result.GetValue(keepLogs), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LabCommandException or IOException)
            {
                await Console.Error.WriteLineAsync($"ironlb-lab: down failed: {e.Message} (run it again)").ConfigureAwait(false);
                return LabExit.Failed;
            }
        });
        return command;
    }
}
