using System.Globalization;
using IronLb.Lab.Processes;
using IronLb.Lab.State;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Operations;

/// <summary>
/// `ironlb-lab down`: stops the lab's processes and removes its namespaces, host link and files: those on record
/// and those found by the lab's names (after a crash of `up`). Running it again finds nothing and succeeds.
/// </summary>
internal static class DownOperation
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(LabNames names, string stateRoot, bool keepLogs, CancellationToken cancellationToken)
    {
        var directory = names.StateDirectory(stateRoot);
        LabState? state = null;
        try
        {
            state = await new StateStore(directory).LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            // A state file cut short: the sweep by name below still finds everything.
            await Console.Error.WriteLineAsync($"ironlb-lab: ignoring an unreadable state file ({e.Message})").ConfigureAwait(false);
        }

        var removed = new List<string>();
        // Speakers and controller first (SIGTERM: speakers say goodbye), all at once, as a DaemonSet's pods go: each
        // speaker's goodbye and withdrawal take about half a second, which one after the other added up. The API
        // server last, once none of them talks to it any more.
        var processes = state?.Processes ?? [];
        foreach (var group in new[] { processes.Where(p => p.Role != Roles.ApiServer), processes.Where(p => p.Role == Roles.ApiServer) })
        {
            var running = group.Where(Supervisor.IsAlive).ToList();
            await Task.WhenAll(running.Select(record => Supervisor.StopAsync(record, Grace))).ConfigureAwait(false);
            removed.AddRange(running.Select(record => $"{record.Role}{(record.Node is null ? "" : " " + record.Node)} (pid {record.Pid})"));
        }

        // Processes started but not yet on record when `up` crashed: each names one of the lab's own kubeconfig
        // files on its command line (a `tail -f` of a log is left alone).
        string[] ours = [Path.Combine(directory, UpOperation.KubeconfigFile), Path.Combine(directory, UpOperation.LoopbackKubeconfigFile),
            Path.Combine(directory, UpOperation.ControllerKubeconfigFile), Path.Combine(directory, UpOperation.SpeakerKubeconfigFile),
            Path.Combine(directory, "router", "bgpd.conf"), Path.Combine(directory, "router", "zebra.conf")];
        foreach (var pid in ProcFs.AllPids().Where(pid => pid != Environment.ProcessId && ProcFs.CommandLine(pid).Any(ours.Contains)))
        {
            if (ProcFs.StartTime(pid) is { } start)
            {
                await Supervisor.StopAsync(new ProcessRecord("unrecorded", null, pid, start, "", []), Grace).ConfigureAwait(false);
                removed.Add($"process {pid.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (state is not null)
        {
            Routers.LabRouter.RemoveSockets(state);
        }

        removed.AddRange(await TopologySweeper.RemoveAsync(names, state).ConfigureAwait(false));
        RemoveFiles(directory, keepLogs);
        await Console.Out.WriteLineAsync(removed.Count == 0
            ? $"ironlb-lab: nothing of lab {names.Lab} was left"
            : $"ironlb-lab: removed lab {names.Lab}: {string.Join(", ", removed)}").ConfigureAwait(false);
        return LabExit.Ok;
    }

    private static void RemoveFiles(string directory, bool keepLogs)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        if (!keepLogs)
        {
            Directory.Delete(directory, recursive: true);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory).Where(f => !f.EndsWith(".log", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }
}
