using System.Diagnostics;

namespace IronLb.Bench.L2Latency;

/// <summary>`ip` and other host programs, run to completion with their output captured.</summary>
internal static class HostCommands
{
    public static Task<string> Ip(params string[] args) => Run("ip", args, check: true);

    public static Task<string> Run(string file, params string[] args) => Run(file, args, check: false);

    public static async Task<string> Run(string file, string[] args, bool check)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        return check && p.ExitCode != 0
            ? throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await stderr.ConfigureAwait(false)}")
            : await stdout.ConfigureAwait(false);
    }
}
