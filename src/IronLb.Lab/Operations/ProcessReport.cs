using IronLb.Lab.Processes;
using IronLb.Lab.State;

namespace IronLb.Lab.Operations;

/// <summary>Says clearly that a lab process died: which, its exit code when known, and the end of its log.</summary>
internal static class ProcessReport
{
    public static async Task DeadAsync(ProcessRecord record, int? exitCode)
    {
        var who = record.Node is null ? record.Role : $"{record.Role} {record.Node}";
        var code = exitCode is { } c ? $"exited with code {c}" : "is not running";
        await Console.Error.WriteLineAsync($"ironlb-lab: {who} (pid {record.Pid}) {code}; last lines of {record.Log}:").ConfigureAwait(false);
        foreach (var line in Supervisor.Tail(record.Log, 15).Split('\n'))
        {
            await Console.Error.WriteLineAsync($"    {line}").ConfigureAwait(false);
        }
    }
}
