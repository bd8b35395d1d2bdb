using System.Net;
using IronLb.Testing.Network;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>The wire judge's arithmetic on synthetic samples: every bound a fault-matrix row asserts comes from here.</summary>
public sealed class WireJudgeTests
{
    private const string A = "02:00:00:00:00:0a";
    private const string B = "02:00:00:00:00:0b";
    private const string Ip = "192.0.2.184";

    public static TheoryData<string, double[], string[], double, double, double?> Timelines => new()
    {
        // name, sample times (s), answerers per sample ("" nobody, "a+b" both), longest double (s), longest unanswered (s), to single (s, fault at 1.0)
        { "steady: nothing ever changes", [0, 0.5, 1, 1.5, 2], ["a", "a", "a", "a", "a"], 0, 0, 0 },
        { "clean failover: a gap, then b", [0, 0.5, 1, 1.5, 2, 2.5], ["a", "a", "", "", "b", "b"], 0, 1.0, 1.0 },
        { "overlap: both answer for two rounds", [0, 0.5, 1, 1.5, 2, 2.5], ["a", "a", "a+b", "a+b", "b", "b"], 1.0, 0, 1.0 },
        { "one double round lasts until the next round", [0, 1, 1.2, 3], ["a", "a+b", "b", "b"], 0.2, 0, 0.2 },
        { "never settles: ends with two", [0, 1, 2], ["a", "a+b", "a+b"], 1.0, 0, null },
        { "never settles: ends unanswered", [0, 1, 2], ["a", "", ""], 0, 1.0, null },
        { "flapping a, b, a: settles at the last a", [0, 1, 1.5, 2, 2.5], ["a", "b", "a", "a", "a"], 0, 0, 0.5 },
        { "the longest of two gaps counts", [0, 0.1, 0.2, 0.3, 1, 2, 2.5], ["", "a", "", "", "", "a", "a"], 0, 1.8, 1.0 },
        { "a run at the very end lasts until the last sample", [0, 1, 1.5, 2], ["a", "a", "", ""], 0, 0.5, null },
        { "no samples after the fault", [0, 0.5], ["a", "a"], 0, 0, null },
    };

    [Theory]
    [MemberData(nameof(Timelines))]
    public void Judges_a_timeline(string name, double[] times, string[] answerers, double longestDouble, double longestUnanswered, double? toSingle)
    {
        var samples = times.Zip(answerers, (t, a) => WireSample.Of(t, Ip, [.. a.Split('+', StringSplitOptions.RemoveEmptyEntries).Select(Mac)]));

        var verdict = WireJudge.Judge(samples, TimeSpan.FromSeconds(1)).For(IPAddress.Parse(Ip));

        Assert.True(Close(TimeSpan.FromSeconds(longestDouble), verdict.LongestDouble), $"{name}: longest double {verdict.LongestDouble}");
        Assert.True(Close(TimeSpan.FromSeconds(longestUnanswered), verdict.LongestUnanswered), $"{name}: longest unanswered {verdict.LongestUnanswered}");
        Assert.True(toSingle is null ? verdict.ToSingle is null : verdict.ToSingle is { } t && Close(TimeSpan.FromSeconds(toSingle.Value), t), $"{name}: to single {verdict.ToSingle}");
        Assert.Equal(answerers.Count(a => a.Contains('+', StringComparison.Ordinal)), verdict.DoubleSamples);
    }

    [Fact]
    public void Changes_list_each_new_state_once_and_the_final_answerer()
    {
        var samples = new[] { WireSample.Of(0, Ip, A), WireSample.Of(1, Ip, A), WireSample.Of(2, Ip), WireSample.Of(3, Ip, A, B), WireSample.Of(4, Ip, B) };

        var verdict = WireJudge.Judge(samples, TimeSpan.FromSeconds(1)).For(IPAddress.Parse(Ip));

        WireChange[] expected = [new(TimeSpan.Zero, A), new(TimeSpan.FromSeconds(2), ""), new(TimeSpan.FromSeconds(3), A + "+" + B), new(TimeSpan.FromSeconds(4), B)];
        Assert.Equal(expected, verdict.Changes);
        Assert.Equal(B, verdict.FinalAnswerer);
        Assert.Contains("nobody", verdict.Describe(TimeSpan.FromSeconds(1)), StringComparison.Ordinal);
    }

    [Fact]
    public void Addresses_are_judged_apart_and_the_worst_bounds_the_whole()
    {
        var samples = new[]
        {
            WireSample.Of(0, Ip, A), WireSample.Of(1, Ip), WireSample.Of(2, Ip, B), WireSample.Of(3, Ip, B),
            WireSample.Of(0, "2001:db8:3a::443", A), WireSample.Of(1, "2001:db8:3a::443", A, B), WireSample.Of(1.5, "2001:db8:3a::443", B), WireSample.Of(3, "2001:db8:3a::443", B),
        };

        var verdict = WireJudge.Judge(samples, TimeSpan.FromSeconds(0.5));

        Assert.Equal(TimeSpan.FromSeconds(1), verdict.LongestUnanswered);
        Assert.Equal(TimeSpan.FromSeconds(0.5), verdict.LongestDouble);
        Assert.Equal(1, verdict.DoubleSamples);
        Assert.Equal(TimeSpan.FromSeconds(1.5), verdict.ToSingle);
    }

    [Fact]
    public void Samples_come_from_rounds_and_leave_the_unfinished_last_round_out()
    {
        var ipv4 = IPAddress.Parse(Ip);
        var ipv6 = IPAddress.Parse("2001:db8:3a::443");
        ProbeRound[] rounds = [new(0, TimeSpan.Zero), new(1, TimeSpan.FromMilliseconds(100)), new(2, TimeSpan.FromMilliseconds(200))];
        ProbeReply[] replies =
        [
            new(0, TimeSpan.FromMilliseconds(1), new NeighbourAnswer(ipv4, A, ipv4)),
            new(0, TimeSpan.FromMilliseconds(2), new NeighbourAnswer(ipv6, A, ipv6)),
            new(1, TimeSpan.FromMilliseconds(101), new NeighbourAnswer(ipv4, A, ipv4)),
            new(1, TimeSpan.FromMilliseconds(150), new NeighbourAnswer(ipv4, B, ipv4)),
            new(2, TimeSpan.FromMilliseconds(201), new NeighbourAnswer(ipv4, B, ipv4)),
        ];

        var samples = WireJudge.Samples(rounds, replies, [ipv4, ipv6]);

        Assert.Equal(4, samples.Length);
        Assert.Equal(new[] { A }, samples.Single(s => s.At == TimeSpan.Zero && s.Address.Equals(ipv4)).Macs);
        Assert.Equal(new[] { A, B }, samples.Single(s => s.At == TimeSpan.FromMilliseconds(100) && s.Address.Equals(ipv4)).Macs);
        Assert.Empty(samples.Single(s => s.At == TimeSpan.FromMilliseconds(100) && s.Address.Equals(ipv6)).Macs);
    }

    private static string Mac(string name) => name == "a" ? A : B;

    private static bool Close(TimeSpan expected, TimeSpan actual) => Math.Abs((expected - actual).TotalMilliseconds) < 1;
}
