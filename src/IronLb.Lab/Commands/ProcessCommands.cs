using System.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.State;

namespace IronLb.Lab.Commands;

/// <summary>kill-speaker, restart-speaker, restart-controller.</summary>
internal static class ProcessCommands
{
    public static Command KillSpeaker()
    {
        var name = LabOptions.Name();
        var node = LabOptions.Node();
        var command = new Command("kill-speaker", "SIGKILL a node's speaker (like kill -9), so another node takes over its addresses.") { name, node };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, result.GetValue(node),
                session => ProcessOperations.KillSpeakerAsync(session, result.GetValue(node)!), cancellationToken).ConfigureAwait(false));
        return command;
    }

    public static Command RestartSpeaker()
    {
        var name = LabOptions.Name();
        var node = LabOptions.Node();
        var command = new Command("restart-speaker", "Start a node's speaker again with the same arguments and log (stopping it first if it runs).") { name, node };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, result.GetValue(node),
                session => ProcessOperations.RestartAsync(session, Roles.Speaker, result.GetValue(node), cancellationToken), cancellationToken).ConfigureAwait(false));
        return command;
    }

    public static Command RestartController()
    {
        var name = LabOptions.Name();
        var command = new Command("restart-controller", "Stop the controller (SIGTERM) and start it again with the same arguments and log.") { name };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, null,
                session => ProcessOperations.RestartAsync(session, Roles.Controller, null, cancellationToken), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> WithLabAsync(string name, string? node, Func<LabSession, Task<int>> action, CancellationToken cancellationToken)
    {
        if (!await LabOptions.RequireRootAsync().ConfigureAwait(false) || await LabOptions.OpenAsync(name, cancellationToken).ConfigureAwait(false) is not { } session)
        {
            return LabExit.Failed;
        }

        if (node is not null && session.Node(node) is null)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: lab {name} has no node {node} (nodes: {string.Join(", ", session.Plan.Nodes.Select(n => n.Name))})").ConfigureAwait(false);
            return LabExit.Usage;
        }

        return await action(session).ConfigureAwait(false);
    }
}
