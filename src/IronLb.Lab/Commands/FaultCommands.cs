using System.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.State;

namespace IronLb.Lab.Commands;

/// <summary>
/// pause, resume and controller-replicas: the faults a crash (kill-speaker) does not show. A paused process is
/// a hung one (a VM pause, a stuck runtime): its sockets stay open and its kernel state stays in place, but it
/// does nothing. Replicas that elect a leader let a test cut the leader off alone.
/// </summary>
internal static class FaultCommands
{
    private static readonly string[] PausableRoles = [Roles.Speaker, Roles.Controller, Roles.ApiServer];

    public static Command Pause() => Signal("pause", "SIGSTOP a lab process (a hung speaker, controller or API server) until `resume`.", FaultOperations.Stop);

    public static Command Resume() => Signal("resume", "SIGCONT a process that `pause` stopped.", FaultOperations.Continue);

    public static Command ControllerReplicas()
    {
        var name = LabOptions.Name();
        var replicas = new Option<int>("--replicas")
        {
            Description = $"How many leader-electing controllers to run, one in each of the first nodes' namespaces (0 goes back to the one controller on the host; at most {FaultOperations.MaxReplicas}).",
            Required = true,
        };
        replicas.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > FaultOperations.MaxReplicas)
            {
                r.AddError($"--replicas must be 0 to {FaultOperations.MaxReplicas}");
            }
        });
        var command = new Command("controller-replicas", "Replace the controller with replicas that elect a leader (--leader-elect), each in a node's namespace under its own uid, so that node's firewall can cut one off alone.") { name, replicas };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, session => FaultOperations.ReplicasAsync(session, result.GetValue(replicas), cancellationToken), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static Command Signal(string verb, string description, string signal)
    {
        var name = LabOptions.Name();
        var role = new Option<string>("--role") { Description = "speaker, controller or apiserver.", Required = true };
        role.AcceptOnlyFromAmong(PausableRoles);
        var node = new Option<string?>("--node") { Description = "The node whose speaker (or controller replica) it is; none for the API server and the host's controller." };
        var command = new Command(verb, description) { name, role, node };
        command.SetAction(async (result, cancellationToken) =>
            await WithLabAsync(result.GetValue(name)!, session => FaultOperations.SignalAsync(session, result.GetValue(role)!, result.GetValue(node), signal), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> WithLabAsync(string name, Func<LabSession, Task<int>> action, CancellationToken cancellationToken) =>
        await LabOptions.RequireRootAsync().ConfigureAwait(false) && await LabOptions.OpenAsync(name, cancellationToken).ConfigureAwait(false) is { } session
            ? await action(session).ConfigureAwait(false)
            : LabExit.Failed;
}
