// Shared by the test projects that drive KubeSim with the real kubectl: compiled into each (tests/Shared is not a project).
using System.Diagnostics;

namespace IronLb.Testing.Kube;

/// <summary>Runs the real kubectl against a kubeconfig and fails the test, with kubectl's stderr, when it fails.</summary>
internal static class KubectlRunner
{
    public static async Task<string> RunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {await error}");
        return await output;
    }
}
