using System.Diagnostics;
using System.Text;

namespace IronLb.Testing;

/// <summary>Runs a command to its end, capturing its output; the one place tests build a <see cref="ProcessStartInfo"/>.</summary>
public static class ProcessRunner
{
    /// <summary>Long enough for anything but a publish on a loaded machine; see <see cref="RunAsync(ProcessStartInfo, TimeSpan, string?, CancellationToken)"/>.</summary>
    public static readonly TimeSpan DefaultHangGuard = TimeSpan.FromSeconds(90);

    /// <summary>A start info with every stream redirected and UTF-8 output; callers add environment or a working folder.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>
    /// The dotnet CLI (or a tool it installed) started as a user's shell would start it. Under `dotnet test` the host
    /// carries MSBuild's state (node handles, the SDK it resolved); a shell does not, and a child build must neither
    /// attach to the test's build nodes nor leave a node or build server behind.
    /// </summary>
    public static ProcessStartInfo DotnetStartInfo(string file, IEnumerable<string> args)
    {
        var info = StartInfo(file, args);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    public static Task<ProcessResult> RunAsync(string file, params string[] args) =>
        RunAsync(StartInfo(file, args), DefaultHangGuard);

    /// <summary>Runs and throws with the whole output when the command fails (set-up must not half-succeed silently).</summary>
    public static async Task<string> CheckAsync(string file, params string[] args)
    {
        var result = await RunAsync(file, args).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException(result.ToString());
    }

    /// <summary>
    /// Runs to the end, writing <paramref name="stdin"/> (or nothing) to its input. <paramref name="hangGuard"/> is not
    /// a speed assertion: it only turns a hung child into a failure with its output, instead of a CI run that waits
    /// for its own limit.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo info, TimeSpan hangGuard, string? stdin = null, CancellationToken cancellationToken = default)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var command = string.Join(' ', info.ArgumentList.Prepend(info.FileName));
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            var hung = new ProcessResult(command, -1, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"still running after {hangGuard.TotalSeconds} s, killed:\n{hung}");
        }

        return new ProcessResult(command, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
