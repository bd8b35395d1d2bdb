namespace IronLb.Tests.Cli;

/// <summary>`ironlb controller` refuses lease timings under which a deposed leader's last write could land after another replica took over, naming every broken bound, before it connects anywhere.</summary>
public sealed class ControllerTimingTests
{
    public static TheoryData<string[], string> Unsafe { get; } = new()
    {
        { ["--write-timeout", "6s"], "renew deadline + write timeout (10 s + 6 s) must be shorter than the lease duration (15 s)" },
        { ["--renew-attempt-timeout", "10s"], "the renew attempt timeout (10 s) must be shorter than the renew deadline (10 s)" },
        { ["--retry-period", "10s"], "the retry period (10 s) must be shorter than the renew deadline (10 s)" },
        { ["--lease-duration", "10s"], "must be shorter than the lease duration (10 s)" },
    };

    [Theory]
    [MemberData(nameof(Unsafe))]
    public void Unsafe_lease_timing_is_refused_with_the_bound_it_breaks(string[] flags, string message)
    {
        var result = CliRunner.Run(["controller", "--kubeconfig", "/nonexistent/kubeconfig", .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }
}
