namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// Randomised runs: crashes, restarts, clean leaves, one-way link loss, partitions and packet loss, then
/// the network heals. Seeds are fixed so a failure replays; the seed and size are in the test name.
/// </summary>
public sealed class MembershipChaosTests
{
    public static TheoryData<int, int> Runs()
    {
        var data = new TheoryData<int, int>();
        var sizes = new Random(2026);
        for (var seed = 1; seed <= 12; seed++)
        {
            data.Add(seed, seed switch { <= 2 => 2 + seed, 12 => 50, _ => sizes.Next(3, seed % 4 == 0 ? 40 : 16) });
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void AfterTheNetworkSettlesEveryAddressHasExactlyOneAnnouncer(int seed, int size)
    {
        var sim = new SimCluster(size, seed, step: TimeSpan.FromMilliseconds(size > 20 ? 10 : 5));
        var random = sim.Random;
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(1));

        for (var round = 0; round < 8; round++)
        {
            var down = sim.Names.Where(n => !sim.IsUp(n)).ToList();
            var node = sim.Names[random.Next(size)];
            var other = sim.Names[random.Next(size)];
            switch (random.Next(7))
            {
                // Keep a majority running so the end state is decided by heartbeats, not readiness.
                case 0 when sim.IsUp(node) && (down.Count + 1) * 2 < size:
                    sim.Crash(node);
                    break;
                case 1 when sim.IsUp(node) && (down.Count + 1) * 2 < size:
                    sim.Leave(node);
                    break;
                case 2 when !sim.IsUp(node):
                    sim.StartNode(node);
                    break;
                case 3:
                    sim.Network.Block(node, other);
                    break;
                case 4:
                    var cut = random.Next(1, size);
                    sim.Network.Partition(sim.Names.Take(cut), sim.Names.Skip(cut));
                    break;
                case 5:
                    sim.Network.Loss = random.NextDouble() * 0.3;
                    break;
                default:
                    sim.Network.Heal();
                    break;
            }

            sim.Run(TimeSpan.FromMilliseconds(random.Next(50, 1500)));
        }

        sim.Network.Heal();
        // Kubernetes catches up with the crashed nodes' readiness eventually; heartbeats must not need it.
        sim.Run(TimeSpan.FromSeconds(2));

        var up = sim.Up.ToList();
        MembershipSimulationTests.AssertAgreedOn(sim, up, up);
        var owners = sim.Owners(up);
        sim.Changes.Clear();
        sim.Run(TimeSpan.FromSeconds(2));
        Assert.Empty(sim.Changes);
        Assert.Equal(owners, sim.Owners(up));
    }
}
