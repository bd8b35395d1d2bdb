namespace IronLb.Speaker.Tests.Membership.Ring;

/// <summary>
/// Sweeps <see cref="RingColdStart"/> over many seeds per size for two answerers and wedges; minutes of wall time.
/// IRONLB_SWEEP_COLD=nodes,first,count picks the sweep (default 5,0,300).
/// </summary>
[Trait("Category", Category.Slow)]
public sealed class RingColdStartSweepTests(ITestOutputHelper output)
{
    [Fact]
    public void Cold_starts_under_load_never_have_two_answerers_and_always_come_up()
    {
        var args = (Environment.GetEnvironmentVariable("IRONLB_SWEEP_COLD") ?? "5,0,300").Split(',').Select(int.Parse).ToArray();
        var failed = new List<string>();
        foreach (var seed in Enumerable.Range(args[1], args[2]))
        {
            var run = new RingColdStart(args[0], seed);
            var up = run.Run(TimeSpan.FromSeconds(60));
            if (!up || run.Sim.Violations.Count > 0)
            {
                var line = $"seed {seed}: {(up ? "came up" : "wedged")}, {run.Sim.Violations.Count} violation steps, first {run.Sim.Violations.FirstOrDefault()}";
                output.WriteLine(line);
                failed.Add(line);
            }
        }

        output.WriteLine($"{args[0]} nodes, seeds {args[1]}..{args[1] + args[2] - 1}: {failed.Count} failed");
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}
