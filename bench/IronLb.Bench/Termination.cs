using System.Diagnostics;
using IronLb.Testing;

namespace IronLb.Bench;

/// <summary>Stopping a process the bench started as the kubelet stops a pod.</summary>
internal static class Termination
{
    /// <summary>
    /// SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>; returns its exit code (137 when
    /// killed). Not SIGINT: a bench started in the background of a non-interactive shell passes SIGINT on ignored.
    /// </summary>
    public static async Task<int> TerminateAsync(Process process, TimeSpan grace)
    {
        if (!process.HasExited)
        {
            // The shell's kill: no procps needed.
            await ProcessRunner.RunAsync("sh", "-c", $"kill -TERM {process.Id}");
            using var limit = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        return process.ExitCode;
    }
}
