namespace IronLb.Lab.Tests.FaultMatrix;

public sealed partial class FaultMatrixTests
{
    /// <summary>
    /// The stalled survivor's share: unanswered from the stall (0.6 s; the fence lapses, it moves to a new incarnation)
    /// until its rejoin (0.2–0.5 s after the resume in the simulation), never two.
    /// </summary>
    internal static readonly Promise SurvivorStall = Promise.Moves(2, 2);

    /// <summary>
    /// The shape behind CI's Kill_9 failures, made on purpose: after a kill -9 in three nodes a survivor stalls for longer
    /// than its fence (a loaded machine), comes back as a new incarnation, and must rejoin with one observer left.
    /// </summary>
    [Fact]
    [Trait("Membership", "v2")]
    public async Task Kill_9_of_the_owner_then_a_survivor_stalled_for_0_6_s()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);
        var survivors = lab.Nodes.Except([owner]).ToList();
        await MatrixLab.SignalAsync(await lab.RunningSpeakerAsync(owner), "KILL");
        await wire.SettledAsync(lab.ExpectedMacs(survivors), Quiet, $"kill -9 of {owner}");

        var stalled = survivors[0];
        var pid = await lab.RunningSpeakerAsync(stalled);
        var fault = wire.Now;
        await MatrixLab.SignalAsync(pid, "STOP");
        try
        {
            await HoldAsync(TimeSpan.FromMilliseconds(600));
        }
        finally
        {
            await MatrixLab.SignalAsync(pid, "CONT");
        }

        await wire.SettledAsync(lab.ExpectedMacs(survivors), Quiet, $"{stalled} stalled for 0.6 s after the kill -9 of {owner}", since: wire.Now);
        Keeps(SurvivorStall, wire, fault, "a survivor stalled after a kill -9");

        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, $"{owner} restarted");
    }
}
