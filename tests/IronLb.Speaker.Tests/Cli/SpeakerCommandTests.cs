using System.Diagnostics;
using IronLb.Testing.Network;

namespace IronLb.Speaker.Tests.Cli;

/// <summary>
/// `ironlb speaker` usage errors, through the real binary. Only cases that stop before any socket is
/// opened run here on the host: each also names a path that does not exist, so even a broken check
/// could not start announcing on the host's interfaces.
/// </summary>
public sealed class SpeakerCommandTests
{
    private const string Missing = "/nonexistent/ironlb-speaker-test";

    [Theory]
    [InlineData("no membership key", "speaker", "--node", "cwn1", "--kubeconfig", Missing)]
    [InlineData("membership key file /nonexistent/ironlb-speaker-test not found", "speaker", "--node", "cwn1", "--membership-key-file", Missing)]
    [InlineData("--membership-address takes an IP address", "speaker", "--node", "cwn1", "--membership-address", "cwn1.local", "--insecure-membership", "--kubeconfig", Missing)]
    [InlineData("--missed-heartbeats at least 2", "speaker", "--node", "cwn1", "--insecure-membership", "--missed-heartbeats", "1", "--kubeconfig", Missing)]
    [InlineData("no such file or folder", "speaker", "--node", "cwn1", "--manifests", Missing)]
    [InlineData("--node is required", "speaker", "--manifests", Missing)]
    [InlineData("--burst takes a duration", "speaker", "--node", "cwn1", "--manifests", Missing, "--burst", "soon")]
    [InlineData("--conflict-probes takes 0 to 10, not 11", "speaker", "--node", "cwn1", "--insecure-membership", "--conflict-probes", "11", "--kubeconfig", Missing)]
    [InlineData("--conflict-probes takes 0 to 10, not -1", "speaker", "--node", "cwn1", "--insecure-membership", "--conflict-probes", "-1", "--kubeconfig", Missing)]
    [InlineData("--conflict-retry-max takes a duration longer than 0", "speaker", "--node", "cwn1", "--insecure-membership", "--conflict-retry-max", "0", "--kubeconfig", Missing)]
    public async Task Usage_errors_exit_with_2_and_say_why(string expected, params string[] args)
    {
        var (code, stderr) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stderr)> RunAsync(params string[] args)
    {
        var psi = ProcessRunner.StartInfo("dotnet", [SpeakerProcess.IronLbDll, .. args]);
        psi.Environment.Remove("METALLB_NODE_NAME");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("ironlb speaker did not exit on a usage error");
        }

        return (p.ExitCode, await stderr);
    }
}
