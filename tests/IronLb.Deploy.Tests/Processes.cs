using System.Diagnostics;

namespace IronLb.Deploy.Tests;

internal sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{Command}\nexit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

internal static class Processes
{
    /// <summary>
    /// Runs to the end. <paramref name="hangGuard"/> is not a speed assertion: it only turns a hung child into a
    /// failure with its output instead of a CI run that waits for its own limit.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, TimeSpan hangGuard, CancellationToken cancellationToken)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var command = string.Join(' ', info.ArgumentList.Prepend(info.FileName));
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            var hung = new ProcessResult(command, -1, await stdout, await stderr);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"still running after {hangGuard.TotalMinutes} min, killed:\n{hung}");
        }

        return new ProcessResult(command, process.ExitCode, await stdout, await stderr);
    }
}
