using IronLb.Speaker.Membership;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// The protocol on fake time and a fake network. Settling is a few seconds of simulated time; every
/// assertion about timing is on the fake clock.
/// </summary>
public sealed class MembershipSimulationTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(3, 0.0)]
    [InlineData(5, 0.0)]
    [InlineData(20, 0.0)]
    [InlineData(50, 0.0)]
    [InlineData(10, 0.05)]
    public void HealthyNetworkAgreesAndOwnersNeverFlap(int size, double loss)
    {
        var sim = new SimCluster(size, seed: size, step: size > 20 ? TimeSpan.FromMilliseconds(10) : null);
        sim.StartAll();
        sim.Run(Settle);
        AssertAgreedOn(sim, sim.Names, sim.Names);
        var owners = sim.Owners(sim.Names);

        sim.Network.Loss = loss;
        sim.Changes.Clear();
        sim.Run(TimeSpan.FromSeconds(10));

        Assert.Empty(sim.Changes);
        AssertAgreedOn(sim, sim.Names, sim.Names);
        Assert.Equal(owners, sim.Owners(sim.Names));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(50)]
    public void CrashIsDetectedWithinTheDetectionTime(int size)
    {
        var measured = new List<double>();
        for (var run = 0; run < (size > 10 ? 3 : 20); run++)
        {
            var sim = new SimCluster(size, seed: (size * 100) + run, step: TimeSpan.FromMilliseconds(size > 10 ? 5 : 2));
            sim.StartAll();
            sim.Run(Settle + TimeSpan.FromMilliseconds(sim.Random.Next(100)));
            var victim = sim.Names[sim.Random.Next(size)];
            var survivors = sim.Names.Where(n => n != victim).ToList();

            sim.Crash(victim);
            var crashedAt = sim.Now;
            sim.Run(TimeSpan.FromSeconds(3), () => survivors.All(s => !sim.View(s).Contains(victim)));
            var detection = sim.Now - crashedAt;
            measured.Add(detection.TotalMilliseconds);

            Assert.True(detection <= sim.Options.DetectionTime, $"{size} nodes, run {run}: {victim} dropped after {detection.TotalMilliseconds} ms (bound {sim.Options.DetectionTime.TotalMilliseconds} ms)");
            sim.Run(Settle);
            AssertAgreedOn(sim, survivors, survivors);
            Assert.All(survivors, s => Assert.Equal(ExclusionReason.NotHeardByMajority, sim.Core(s).View.Excluded[victim]));
        }

        measured.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine($"{size} nodes, {measured.Count} crashes: detection median {measured[measured.Count / 2]:F0} ms, max {measured[^1]:F0} ms");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void ASecondCrashIsStillDecidedByHeartbeats(int size)
    {
        var sim = new SimCluster(size, seed: 60 + size, step: TimeSpan.FromMilliseconds(2));
        sim.StartAll();
        sim.Run(Settle);
        sim.Crash("node-00");
        sim.Run(Settle);

        // Two of four left: only a quorum that forgot the first dead node can still decide fast.
        sim.Crash("node-01");
        var crashedAt = sim.Now;
        var survivors = sim.Names.Skip(2).ToList();
        sim.Run(TimeSpan.FromSeconds(3), () => survivors.All(s => !sim.View(s).Contains("node-01")));

        Assert.True(sim.Now - crashedAt <= sim.Options.DetectionTime, $"second crash took {(sim.Now - crashedAt).TotalMilliseconds} ms");
        sim.Run(Settle);
        AssertAgreedOn(sim, survivors, survivors);
        Assert.All(survivors, s => Assert.Equal(MembershipMode.Quorum, sim.Core(s).View.Mode));

        // The first victim comes back and is counted again.
        sim.StartNode("node-00");
        sim.Run(Settle);
        var up = sim.Up.ToList();
        AssertAgreedOn(sim, up, up);
    }

    [Fact]
    public void CrashUnderFivePercentLossIsStillDetectedWellUnderASecond()
    {
        var measured = new List<double>();
        for (var run = 0; run < 20; run++)
        {
            var sim = new SimCluster(5, seed: 500 + run, step: TimeSpan.FromMilliseconds(2));
            sim.StartAll();
            sim.Network.Loss = 0.05;
            sim.Run(Settle + TimeSpan.FromMilliseconds(sim.Random.Next(100)));
            var victim = sim.Names[sim.Random.Next(5)];
            var survivors = sim.Names.Where(n => n != victim).ToList();

            sim.Crash(victim);
            var crashedAt = sim.Now;
            sim.Run(TimeSpan.FromSeconds(3), () => survivors.All(s => !sim.View(s).Contains(victim)));
            measured.Add((sim.Now - crashedAt).TotalMilliseconds);
        }

        measured.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine($"5 nodes, 5% loss, {measured.Count} crashes: detection median {measured[measured.Count / 2]:F0} ms, max {measured[^1]:F0} ms");
        // A lost report from a witness costs one more interval.
        Assert.True(measured[^1] <= (new MembershipOptions().DetectionTime + new MembershipOptions().Interval).TotalMilliseconds, $"max {measured[^1]} ms");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void GoodbyeRemovesTheNodeAtTheNextDelivery(int size)
    {
        var sim = new SimCluster(size, seed: 7, step: TimeSpan.FromMilliseconds(1));
        sim.StartAll();
        sim.Run(Settle);
        var leaver = sim.Names[^1];
        var rest = sim.Names.Where(n => n != leaver).ToList();

        sim.Leave(leaver);
        var leftAt = sim.Now;
        sim.Run(TimeSpan.FromSeconds(1), () => rest.All(s => !sim.View(s).Contains(leaver)));

        // Delivery takes 1–3 ms on the fake network; nothing waits for a heartbeat window.
        Assert.True(sim.Now - leftAt <= sim.Network.MinDelay + sim.Network.Jitter + sim.Step, $"goodbye took {(sim.Now - leftAt).TotalMilliseconds} ms");
        Assert.All(rest, s => Assert.Equal(ExclusionReason.Left, sim.Core(s).View.Excluded[leaver]));
        sim.Run(Settle);
        AssertAgreedOn(sim, rest, rest);
    }

    [Fact]
    public void RestartedSpeakerRejoinsAsANewIncarnation()
    {
        var sim = new SimCluster(5, seed: 11);
        sim.StartAll();
        sim.Run(Settle);
        var node = sim.Names[2];

        sim.Crash(node);
        sim.Run(TimeSpan.FromMilliseconds(200));
        sim.StartNode(node);
        Assert.Equal(ExclusionReason.WarmingUp, sim.Core(node).View.Excluded[node]);
        sim.Run(Settle);

        AssertAgreedOn(sim, sim.Names, sim.Names);
    }

    [Fact]
    public void OneWayLinkLossCannotStealAddresses()
    {
        var sim = new SimCluster(5, seed: 3);
        sim.StartAll();
        sim.Run(Settle);
        sim.Changes.Clear();

        sim.Network.Block("node-00", "node-01"); // node-01 no longer hears node-00
        sim.Run(TimeSpan.FromSeconds(5));

        Assert.Empty(sim.Changes);
        AssertAgreedOn(sim, sim.Names, sim.Names);
    }

    [Fact]
    public void ABrokenLinkBetweenTwoSpeakersCannotStealAddresses()
    {
        var sim = new SimCluster(3, seed: 4);
        sim.StartAll();
        sim.Run(Settle);
        sim.Changes.Clear();

        sim.Network.Block("node-00", "node-01");
        sim.Network.Block("node-01", "node-00");
        sim.Run(TimeSpan.FromSeconds(5));

        Assert.Empty(sim.Changes);
        AssertAgreedOn(sim, sim.Names, sim.Names);
    }

    [Fact]
    public void ASpeakerNobodyHearsWithdrawsItselfToo()
    {
        var sim = new SimCluster(4, seed: 5);
        sim.StartAll();
        sim.Run(Settle);
        var mute = "node-03";
        foreach (var other in sim.Names.Where(n => n != mute))
        {
            sim.Network.Block(mute, other);
        }

        sim.Run(Settle);

        var rest = sim.Names.Where(n => n != mute).ToList();
        // The mute node still answers ARP on the LAN, so it counts among the announcers: it must agree.
        AssertAgreedOn(sim, sim.Names, rest);
        Assert.Equal(ExclusionReason.NotHeardByMajority, sim.Core(mute).View.Excluded[mute]);
    }

    [Fact]
    public void ASpeakerThatHearsNobodyButIsHeardChangesNothing()
    {
        var sim = new SimCluster(4, seed: 13);
        sim.StartAll();
        sim.Run(Settle);
        var deaf = "node-01";
        foreach (var other in sim.Names.Where(n => n != deaf))
        {
            sim.Network.Block(other, deaf);
        }

        sim.Run(Settle);

        // The others still hear it (live); it hears nobody, so it falls back to readiness: the same set.
        AssertAgreedOn(sim, sim.Names, sim.Names);
        Assert.Equal(MembershipMode.ReadinessFallback, sim.Core(deaf).View.Mode);
    }

    [Fact]
    public void AnIsolatedSpeakerKeepsEveryReadyNodeInsteadOfDeclaringThemDead()
    {
        var sim = new SimCluster(5, seed: 6);
        sim.StartAll();
        sim.Run(Settle);
        var lonely = "node-02";
        sim.Network.Partition(sim.Names.Where(n => n != lonely), [lonely]);

        sim.Run(Settle);

        Assert.Equal(MembershipMode.ReadinessFallback, sim.Core(lonely).View.Mode);
        Assert.Equal(sim.Names, [.. sim.View(lonely)]);
        var rest = sim.Names.Where(n => n != lonely).ToList();
        AssertAgreedOn(sim, rest, rest);

        // Were Kubernetes to report only the lonely node Ready, it would be the quorum of what is left.
        sim.Core(lonely).SetReadyNodes([lonely]);
        Assert.Equal([lonely], sim.View(lonely));
        Assert.Equal(MembershipMode.Quorum, sim.Core(lonely).View.Mode);
    }

    [Fact]
    public void PartitionMajorityTakesOverAndTheMinorityKeepsOnlyItsOwnAddresses()
    {
        var sim = new SimCluster(5, seed: 8);
        sim.StartAll();
        sim.Run(Settle);
        var before = sim.Owners(sim.Names);
        string[] majority = ["node-00", "node-01", "node-02"];
        string[] minority = ["node-03", "node-04"];

        sim.Network.Partition(majority, minority);
        sim.Run(Settle);

        AssertAgreedOn(sim, majority, majority);
        Assert.All(minority, m => Assert.Equal(MembershipMode.ReadinessFallback, sim.Core(m).View.Mode));
        Assert.All(minority, m => Assert.Equal(sim.Names, [.. sim.View(m)]));
        foreach (var (address, announcers) in sim.Announcers(minority))
        {
            // At most one, and only the addresses the minority already owned: nothing is grabbed.
            Assert.True(announcers.Count <= 1);
            Assert.Equal(minority.Contains(before[address]) ? [before[address]!] : [], announcers);
        }

        sim.Network.Heal();
        sim.Run(Settle);
        AssertAgreedOn(sim, sim.Names, sim.Names);
        Assert.Equal(before, sim.Owners(sim.Names));
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 3)]
    [InlineData(7, 4)]
    [InlineData(7, 5)]
    [InlineData(9, 6)]
    public void TheMinorityOfAPartitionNeverBecomesAQuorum(int size, int seed)
    {
        var sim = new SimCluster(size, seed, step: TimeSpan.FromMilliseconds(2));
        sim.StartAll();
        sim.Run(Settle);
        var shuffled = sim.Names.OrderBy(_ => sim.Random.Next()).ToList();
        var majority = shuffled.Take((size / 2) + 1).ToList();
        var minority = shuffled.Skip(majority.Count).ToList();

        sim.Network.Partition(majority, minority);

        // While the far side fades out node by node (one heard window) a minority node can briefly count
        // a quorum; once every stale report has expired it must not, and must never confirm the far side dead.
        sim.Run(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            sim.Run(TimeSpan.FromMilliseconds(150));
            Assert.All(minority, m => Assert.Equal(MembershipMode.ReadinessFallback, sim.Core(m).View.Mode));
        }

        AssertAgreedOn(sim, majority, majority);
        Assert.All(sim.Announcers(minority), a => Assert.True(a.Value.Count <= 1));
    }

    [Fact]
    public void TwoNodeSplitKeepsOneAnnouncerPerAddressThroughReadiness()
    {
        var sim = new SimCluster(2, seed: 9);
        sim.StartAll();
        sim.Run(Settle);

        sim.Network.Partition(["node-00"], ["node-01"]);
        sim.Run(Settle);

        // Neither side holds a majority of two, so both elect over the Ready nodes: the same answer.
        AssertAgreedOn(sim, sim.Names, sim.Names);
        Assert.All(sim.Names, n => Assert.Equal(MembershipMode.ReadinessFallback, sim.Core(n).View.Mode));
    }

    [Fact]
    public void TwoNodeCrashMovesAddressesWhenKubernetesMarksTheNodeNotReady()
    {
        var sim = new SimCluster(2, seed: 10);
        sim.StartAll();
        sim.Run(Settle);

        sim.Crash("node-01");
        sim.Run(Settle);
        Assert.Equal(sim.Names, [.. sim.View("node-00")]);

        sim.SetReady(["node-00"]);
        Assert.Equal(["node-00"], sim.View("node-00"));
        Assert.Equal(MembershipMode.Quorum, sim.Core("node-00").View.Mode);
    }

    [Fact]
    public void SingleSpeakerWithoutPeersAnnouncesAfterWarmUp()
    {
        var sim = new SimCluster(1, seed: 12);
        sim.StartAll();
        sim.Run(Settle);

        Assert.Equal(["node-00"], sim.View("node-00"));
    }

    /// <summary>Every given speaker sees exactly <paramref name="live"/>, and each address has exactly one announcer among them.</summary>
    internal static void AssertAgreedOn(SimCluster sim, IReadOnlyCollection<string> speakers, IReadOnlyCollection<string> live)
    {
        foreach (var speaker in speakers)
        {
            Assert.True(sim.View(speaker).SetEquals(live), $"{speaker} sees [{string.Join(", ", sim.View(speaker))}], expected [{string.Join(", ", live.Order(StringComparer.Ordinal))}]");
        }

        Assert.All(sim.Announcers(speakers), a => Assert.Single(a.Value));
    }
}
