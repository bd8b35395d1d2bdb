using System.Diagnostics;
using System.Text;

namespace IronLb.Lab.Processes;

internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}: {Stderr.Trim()}{(Stdout.Trim().Length > 0 ? " " + Stdout.Trim() : "")}";
}

/// <summary>A failed command that the lab needed (set-up must never half-succeed silently).</summary>
internal sealed class LabCommandException(string message) : Exception(message);

/// <summary>
/// Runs `ip`, `sysctl`-like writes and the like to completion, bounded, with output captured. Every command
/// the lab issues to the machine goes through here, so there is one place that shows what it does (--verbose).
/// </summary>
internal static class CommandRunner
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Print each command before running it.</summary>
    public static bool Verbose { get; set; }

    public static Task<CommandResult> RunAsync(string file, params string[] args) => RunWithInputAsync(null, file, args);

    /// <summary>Runs with <paramref name="input"/> on stdin (an nft script, say); null gives it an empty stdin.</summary>
    public static async Task<CommandResult> RunWithInputAsync(string? input, string file, params string[] args)
    {
        if (Verbose)
        {
            await Console.Error.WriteLineAsync($"+ {file} {string.Join(' ', args)}{(input is null ? "" : " <<EOF\n" + input + "EOF")}").ConfigureAwait(false);
        }

        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new LabCommandException($"{file} did not start");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new LabCommandException($"{file} {string.Join(' ', args)} did not finish within {Limit.TotalSeconds:0} s");
        }

        return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs and throws with the output when the command fails.</summary>
    public static async Task<string> CheckAsync(string file, params string[] args)
    {
        var result = await RunAsync(file, args).ConfigureAwait(false);
        return result.Ok ? result.Stdout : throw new LabCommandException($"{file} {string.Join(' ', args)}: {result}");
    }

    public static Task<string> IpAsync(params string[] args) => CheckAsync("ip", args);
}
