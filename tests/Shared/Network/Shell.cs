// Shared by the network tests of several projects: compiled into each (tests/Shared is not a project).
using System.Diagnostics;
using System.Text;

namespace IronLb.Testing.Network;

/// <summary>Runs a command to completion (bounded), capturing output. Only ever used on our own namespaces.</summary>
internal static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string file, params string[] args)
    {
        using var p = new Process { StartInfo = Start(file, args) };
        p.Start();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        return new Result(p.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs and throws with the output when the command fails (topology set-up must not half-succeed silently).</summary>
    public static async Task<string> CheckAsync(string file, params string[] args)
    {
        var r = await RunAsync(file, args).ConfigureAwait(false);
        return r.ExitCode == 0 ? r.Stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {r}");
    }

    public static Task<string> IpAsync(params string[] args) => CheckAsync("ip", args);

    public static ProcessStartInfo Start(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; generous deadline, never a timing assertion.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null, Func<Task<string>>? describe = null)
    {
        var sw = Stopwatch.StartNew();
        var limit = deadline ?? TimeSpan.FromSeconds(30);
        while (!await condition().ConfigureAwait(false))
        {
            if (sw.Elapsed > limit)
            {
                Assert.Fail($"gave up waiting for: {what}{(describe is null ? string.Empty : "; state: " + await describe().ConfigureAwait(false))}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
