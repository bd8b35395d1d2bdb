using System.Diagnostics;
using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Operations;

/// <summary>kill-speaker, restart-speaker and restart-controller: a crash and a recovery, for failover demonstrations.</summary>
internal static class ProcessOperations
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>SIGKILL, like kill -9: no goodbye, so the other speakers must notice the silence.</summary>
    public static async Task<int> KillSpeakerAsync(LabSession session, string node)
    {
        if (session.State.Process(Roles.Speaker, node) is not { } record || !Supervisor.IsAlive(record))
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: the speaker of {node} is not running").ConfigureAwait(false);
            return LabExit.Failed;
        }

        await Supervisor.KillAsync(record).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"ironlb-lab: killed the speaker of {node} (pid {record.Pid}, SIGKILL)").ConfigureAwait(false);
        return LabExit.Ok;
    }

    /// <summary>Starts the process again with the same command line and log (stopping it first if it still runs).</summary>
    public static async Task<int> RestartAsync(LabSession session, string role, string? node, CancellationToken cancellationToken)
    {
        if (session.State.Process(role, node) is not { } record)
        {
            await Console.Error.WriteLineAsync($"ironlb-lab: lab {session.State.Name} has no {role}{(node is null ? "" : " for " + node)}").ConfigureAwait(false);
            return LabExit.Failed;
        }

        if (Supervisor.IsAlive(record))
        {
            await Supervisor.StopAsync(record, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        var supervisor = new Supervisor();
        var started = supervisor.Start(role, node, record.Command, record.Log);
        await session.RecordAsync(s => s.WithProcess(started)).ConfigureAwait(false);

        // One that cannot run says so at once; report it here rather than leave a silent gap.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Settle && Supervisor.IsAlive(started))
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        if (!Supervisor.IsAlive(started))
        {
            await ProcessReport.DeadAsync(started, supervisor.ExitCode(started)).ConfigureAwait(false);
            return LabExit.Degraded;
        }

        await Console.Out.WriteLineAsync($"ironlb-lab: restarted the {role}{(node is null ? "" : " of " + node)} (pid {started.Pid}; log {started.Log})").ConfigureAwait(false);
        return LabExit.Ok;
    }
}
