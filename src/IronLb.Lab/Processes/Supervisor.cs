using System.Diagnostics;
using System.Runtime.InteropServices;
using IronLb.Lab.State;

namespace IronLb.Lab.Processes;

/// <summary>
/// Starts the lab's processes detached: in a session of their own (setsid), stdin from /dev/null and output
/// appended to a log file, so they outlive the `ironlb-lab` command that started them and no terminal hangup
/// reaches them. The shell and setsid exec in place, so the pid we record is the program's own.
/// </summary>
internal sealed class Supervisor
{
    private const string LaunchScript = "exec setsid \"$@\" </dev/null >>\"$IRONLB_LAB_LOG\" 2>&1";

    // Children of this command: only while it runs can their exit code be read (afterwards init reaps them).
    private readonly Dictionary<int, Process> _children = [];

    public ProcessRecord Start(string role, string? node, IReadOnlyList<string> command, string log)
    {
        var info = new ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(log)! };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(LaunchScript);
        info.ArgumentList.Add("sh");
        foreach (var arg in command)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["IRONLB_LAB_LOG"] = log;
        // An apphost finds the runtime through DOTNET_ROOT; under sudo the caller's may be missing, so hand on ours.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")) && DotnetRoot() is { } root)
        {
            info.Environment["DOTNET_ROOT"] = root;
        }

        // The speaker's runtime settings of deploy/speaker.yaml, so the lab's speakers weigh what a node's would.
        // A variable the caller set wins (the speaker-memory bench compares settings through it).
        if (role == Roles.Speaker)
        {
            foreach (var (name, value) in SpeakerRuntimeSettings.Environment.Where(v => Environment.GetEnvironmentVariable(v.Key) is null))
            {
                info.Environment[name] = value;
            }
        }

        var process = Process.Start(info) ?? throw new LabCommandException($"{command[0]} did not start");
        _children[process.Id] = process;
        // The exec chain takes a moment; the start time is the pid's from the fork and does not change on exec.
        var startTime = ProcFs.StartTime(process.Id) ?? 0;
        return new ProcessRecord(role, node, process.Id, startTime, log, [.. command]);
    }

    /// <summary>The exit code of a child of this command that has ended, else null.</summary>
    public int? ExitCode(ProcessRecord record) =>
        _children.TryGetValue(record.Pid, out var p) && p.HasExited ? p.ExitCode : null;

    public static bool IsAlive(ProcessRecord record) => ProcFs.IsAlive(record.Pid, record.StartTime);

    /// <summary>True while the lab's `up` or any of its processes runs; a lab with neither is what a crash or a
    /// failed `down` left, and nothing of it can be in use.</summary>
    public static bool AnyAlive(LabState state) => state.Processes.Append(state.Builder).OfType<ProcessRecord>().Any(IsAlive);

    /// <summary>This very process, for <see cref="LabState.Builder"/>.</summary>
    public static ProcessRecord Self(string role) =>
        new(role, null, Environment.ProcessId, ProcFs.StartTime(Environment.ProcessId) ?? 0, "", [.. Environment.GetCommandLineArgs()]);

    /// <summary>SIGKILL, like kill -9: the process gets no chance to say goodbye (a crash, for failover).</summary>
    public static async Task KillAsync(ProcessRecord record)
    {
        await SignalAsync(record, "KILL").ConfigureAwait(false);
        await WaitGoneAsync(record, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then SIGKILL when it has not ended within <paramref name="grace"/>.</summary>
    public static async Task StopAsync(ProcessRecord record, TimeSpan grace)
    {
        await SignalAsync(record, "TERM").ConfigureAwait(false);
        if (!await WaitGoneAsync(record, grace).ConfigureAwait(false))
        {
            await SignalAsync(record, "KILL").ConfigureAwait(false);
            await WaitGoneAsync(record, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>The last lines of a log, for reporting a process that died.</summary>
    public static string Tail(string log, int lines)
    {
        try
        {
            var all = File.ReadAllLines(log);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task SignalAsync(ProcessRecord record, string signal)
    {
        // Checked right before signalling: a pid reused by another program is never touched.
        if (IsAlive(record))
        {
            // The shell's builtin kill: no procps needed, and .NET itself can only send SIGKILL.
            await CommandRunner.RunAsync("sh", "-c", "kill -s \"$1\" \"$2\"", "sh", signal, record.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
    }

    private static async Task<bool> WaitGoneAsync(ProcessRecord record, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(record))
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    private static string? DotnetRoot()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.x/ -> .../dotnet
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'));
        return runtime.Parent?.Parent?.Parent?.FullName;
    }
}
