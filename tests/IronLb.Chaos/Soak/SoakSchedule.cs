namespace IronLb.Chaos.Soak;

/// <summary>
/// The fault kinds of issue 14's matrix a three- or four-node lab can do, plus <see cref="None"/>: a step with
/// churn only, the baseline every other kind is compared with.
/// </summary>
internal enum FaultKind
{
    None,
    Kill9,
    Stop,
    HeartbeatsCut,
    ApiBlackHole,
    HeartbeatsAndApiCut,
    HeartbeatsEverywhere,
    ApiServerStopped,
    DiscoveryDeleted,
    InvalidConfigRestart,
    LeaderBlackHole,
    Flood,
}

/// <summary>One fault of the schedule: what, at which node, held how long, and the quiet gap after its heal.</summary>
internal sealed record FaultStep(int Index, FaultKind Kind, string Node, TimeSpan Hold, TimeSpan Quiet);

/// <summary>One churn action of the schedule; <see cref="Pause"/> is the wait before it (and inside a delete/re-add).</summary>
internal sealed record ChurnStep(int Index, ChurnKind Kind, int Choice, TimeSpan Pause, TimeSpan Absent);

internal enum ChurnKind
{
    CreateService,
    DeleteService,
    EditPool,
    DeleteAndReAddPool,
    EditAdvertisement,
    DeleteAndReAddAdvertisement,
}

/// <summary>
/// The seeded schedules: the same seed gives the same faults, nodes, holds and churn, so a run can be replayed
/// (what happens in between still depends on the machine's timing). Faults come in rounds that each hold every
/// kind once, in a shuffled order, so even a short run meets many kinds and no kind waits long for its turn.
/// </summary>
internal static class SoakSchedule
{
    /// <summary>The faults, endless; the runner stops taking them when its time is up.</summary>
    public static IEnumerable<FaultStep> Faults(int seed, IReadOnlyList<string> nodes)
    {
        var random = new Random(seed);
        var index = 0;
        while (true)
        {
            var round = Enum.GetValues<FaultKind>().ToArray();
            random.Shuffle(round);
            foreach (var kind in round)
            {
                var (min, max) = HoldRange(kind);
                var hold = TimeSpan.FromSeconds(min + (random.NextDouble() * (max - min)));
                var quiet = TimeSpan.FromSeconds(5 + (random.NextDouble() * 10));
                yield return new FaultStep(++index, kind, nodes[random.Next(nodes.Count)], hold, quiet);
            }
        }
    }

    /// <summary>The churn, endless: Services come and go most often; pools and advertisements change now and then.</summary>
    public static IEnumerable<ChurnStep> Churn(int seed)
    {
        var random = new Random(unchecked((seed * 7919) + 17));
        (ChurnKind Kind, int Weight)[] weights =
        [
            (ChurnKind.CreateService, 5), (ChurnKind.DeleteService, 3), (ChurnKind.EditPool, 1),
            (ChurnKind.DeleteAndReAddPool, 1), (ChurnKind.EditAdvertisement, 1), (ChurnKind.DeleteAndReAddAdvertisement, 1),
        ];
        var total = weights.Sum(w => w.Weight);
        for (var index = 1; ; index++)
        {
            var pick = random.Next(total);
            var kind = weights.SkipWhile(w => (pick -= w.Weight) >= 0).First().Kind;
            yield return new ChurnStep(index, kind, random.Next(1 << 20), TimeSpan.FromSeconds(1 + (random.NextDouble() * 3)), TimeSpan.FromSeconds(3 + (random.NextDouble() * 12)));
        }
    }

    /// <summary>Seconds a fault is held: API faults longer than a Lease renewal (10 s), so the node meets them.</summary>
    private static (double Min, double Max) HoldRange(FaultKind kind) => kind switch
    {
        FaultKind.ApiBlackHole => (12, 25),
        FaultKind.DiscoveryDeleted => (12, 15),
        FaultKind.HeartbeatsCut or FaultKind.ApiServerStopped => (5, 30),
        FaultKind.LeaderBlackHole => (10, 20),
        FaultKind.Flood => (5, 10),
        FaultKind.InvalidConfigRestart => (6, 15),
        // Sometimes past the 19 s API mode needs to answer, sometimes healed before it does.
        FaultKind.HeartbeatsEverywhere => (10, 30),
        _ => (3, 15),
    };
}
