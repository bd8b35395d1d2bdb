using System.Diagnostics;
using static IronLb.Bench.L2Latency.HostCommands;

namespace IronLb.Bench.L2Latency;

/// <summary>This bench started again inside a namespace in one of its roles, and the line protocol the responder speaks on stdin/stdout.</summary>
internal static class SelfProcess
{
    public static Process Start(string ns, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in SelfCommand(ns, args))
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    public static async Task RunAsync(string ns, params string[] args)
    {
        var output = await Run("ip", SelfCommand(ns, args), check: true).ConfigureAwait(false);
        if (!output.Contains("lost=0", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"l2-latency: {output.Trim()}").ConfigureAwait(false);
        }
    }

    /// <summary>This same program, inside a namespace: via the apphost, or `dotnet IronLb.Bench.dll` when run that way.</summary>
    private static string[] SelfCommand(string ns, string[] args)
    {
        var process = Environment.ProcessPath!;
        var self = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? new[] { process, typeof(L2LatencyBench).Assembly.Location }
            : [process];
        return ["netns", "exec", ns, .. self, "l2-latency", .. args];
    }

    public static async Task<string> Command(Process p, string command)
    {
        await p.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await p.StandardInput.FlushAsync().ConfigureAwait(false);
        return await Expect(p, $"ready {command.Split(' ')[0]}").ConfigureAwait(false);
    }

    public static async Task<string> Expect(Process p, string prefix)
    {
        while (await p.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"responder exited before '{prefix}'");
    }
}
