using System.Globalization;
using System.Net;
using IronLb.Kubernetes.Client;
using static IronLb.Testing.Eventually;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// The fault matrix of issue 14, judged on the client's wire: one test per row, each injecting its fault into the
/// shared three-node lab while the client asks ARP and NDP for every Service address every 100 ms, and each
/// asserting exactly the promise docs/membership.md ("Fault matrix") writes for it. Rows only membership v2 can
/// keep carry the trait Membership=v2.
/// </summary>
[Trait("Category", Category.Lab)]
[Trait("Category", Category.Network)]
[Trait("Category", Category.Root)]
[Collection(Soak.SharedMatrixLab.Name)]
public sealed partial class FaultMatrixTests(MatrixLab lab)
{
    /// <summary>How long every address must stay with its expected answerer before a phase counts as settled.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    internal static readonly Promise Kill9 = Promise.Moves(1, 1);
    internal static readonly Promise Frozen = Promise.Moves(1, 1);

    /// <summary>A node coming back takes its share back (the election is MetalLB's): bounded by its start and join, never a gap or an overlap.</summary>
    internal static readonly Promise Rejoin = Promise.Moves(20, 0.5);
    internal static readonly Promise HeartbeatsCut = Promise.Moves(1, 1);
    /// <summary>
    /// The ring fences every node within a second; then the Leases decide (API mode): the state written within a
    /// second, one renewal period (10 s) of agreement, "api mode" written, half a period more: a single answerer by 26 s.
    /// </summary>
    internal static readonly Promise HeartbeatsEverywhere = Promise.Moves(26, 26);

    /// <summary>Leaving API mode when heartbeats return: ring answers wait for the return hold (0.5 s) after the round.</summary>
    internal static readonly Promise HeartbeatsBack = Promise.Moves(3, 3);
    internal static readonly Promise InvalidRestart = Promise.Moves(1.5, 1);

    [Fact]
    public async Task Kill_9_of_the_owner()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);
        var pid = await lab.RunningSpeakerAsync(owner);

        var fault = wire.Now;
        await MatrixLab.SignalAsync(pid, "KILL");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes.Except([owner])), Quiet, $"kill -9 of {owner}");
        Keeps(Kill9, wire, fault, "kill -9");

        var back = wire.Now;
        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, $"{owner} restarted");
        Keeps(Rejoin, wire, back, "the restarted owner rejoining");
    }

    [Fact]
    [Trait("Membership", "v2")]
    public async Task SIGSTOP_of_the_owner_then_SIGCONT()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);
        var pid = await lab.RunningSpeakerAsync(owner);

        var fault = wire.Now;
        await MatrixLab.SignalAsync(pid, "STOP");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes.Except([owner])), Quiet, $"SIGSTOP of {owner}");
        Keeps(Frozen, wire, fault, "SIGSTOP");

        var resumed = wire.Now;
        await MatrixLab.SignalAsync(pid, "CONT");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, $"SIGCONT of {owner}");
        Keeps(Rejoin, wire, resumed, "SIGCONT");
    }

    [Fact]
    [Trait("Membership", "v2")]
    public async Task Heartbeats_alone_dropped_at_the_owner_for_60_s()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);

        var fault = wire.Now;
        await Faults.DropHeartbeatsAsync(lab.Netns(owner));
        await HoldAsync(TimeSpan.FromSeconds(60));
        Assert.True(await Faults.DroppedAsync(lab.Netns(owner)) > 0, "the rules dropped no heartbeat: the row tested nothing");
        Keeps(HeartbeatsCut, wire, fault, "heartbeats dropped at the owner", expected: lab.ExpectedMacs(lab.Nodes.Except([owner])));

        var healed = wire.Now;
        await Faults.HealAsync(lab.Netns(owner));
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, "the heartbeat cut healed");
        Keeps(Rejoin, wire, healed, "the heartbeat cut healed");
    }

    [Fact]
    public async Task The_owner_s_API_traffic_black_holed()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);

        var fault = wire.Now;
        await Faults.BlackHoleApiAsync(lab.Netns(owner), lab.ApiEndpoint);
        // Longer than a Lease renewal period (10 s) and than any request's timeout: the speaker has met the black hole.
        await HoldAsync(TimeSpan.FromSeconds(15));
        Assert.True(await Faults.DroppedAsync(lab.Netns(owner)) > 0, "the rules dropped no API packet: the row tested nothing");
        await Faults.HealAsync(lab.Netns(owner));
        await HoldAsync(Quiet);
        Keeps(Promise.Steady, wire, fault, "the owner's API black-holed");
    }

    [Fact]
    [Trait("Membership", "v2")]
    public async Task Heartbeats_and_API_both_cut_at_the_owner_with_its_LAN_up()
    {
        using var wire = await StartAsync();
        var owner = lab.OwnerOf(MatrixLab.Gateway);

        var fault = wire.Now;
        await Faults.DropHeartbeatsAsync(lab.Netns(owner));
        await Faults.BlackHoleApiAsync(lab.Netns(owner), lab.ApiEndpoint);
        await HoldAsync(TimeSpan.FromSeconds(15));
        Keeps(HeartbeatsCut, wire, fault, "heartbeats and API cut at the owner", expected: lab.ExpectedMacs(lab.Nodes.Except([owner])));

        var healed = wire.Now;
        await Faults.HealAsync(lab.Netns(owner));
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, "the cut healed");
        Keeps(Rejoin, wire, healed, "heartbeats and API back at the owner");
    }

    [Fact]
    [Trait("Membership", "v2")]
    public async Task Heartbeats_blocked_on_every_node_at_once()
    {
        using var wire = await StartAsync();

        var fault = wire.Now;
        foreach (var node in lab.Nodes)
        {
            await Faults.DropHeartbeatsAsync(lab.Netns(node));
        }

        // The ring fences every node first; then every speaker's Lease is fresh, so API mode elects over all of them:
        // the same answerers as before the cut.
        var silent = await wire.SilentAsync("every node fenced");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, "heartbeats blocked everywhere, API mode", since: silent);
        using var api = lab.Connect();
        await EveryLeaseSaysAsync(api, "api mode");
        await HoldAsync(TimeSpan.FromSeconds(15));
        Keeps(HeartbeatsEverywhere, wire, fault, "heartbeats blocked everywhere", expected: lab.ExpectedMacs(lab.Nodes));

        var healed = wire.Now;
        foreach (var node in lab.Nodes)
        {
            await Faults.HealAsync(lab.Netns(node));
        }

        // API mode gave the same answerers, so the wire alone cannot tell that the ring took over again: the Leases can.
        await EveryLeaseSaysAsync(api, "answering");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, "heartbeats back everywhere");
        Keeps(HeartbeatsBack, wire, healed, "heartbeats back everywhere", expected: lab.ExpectedMacs(lab.Nodes));
    }

    [Fact]
    public async Task The_API_server_stopped_for_60_s()
    {
        using var wire = await StartAsync();

        var fault = wire.Now;
        await lab.Lab.OkAsync("pause", "--role", "apiserver");
        try
        {
            await HoldAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await lab.Lab.OkAsync("resume", "--role", "apiserver");
        }

        await HoldAsync(Quiet);
        Keeps(Promise.Steady, wire, fault, "the API server stopped for 60 s");
    }

    [Fact]
    public async Task Every_speaker_ConfigurationState_and_Lease_deleted()
    {
        using var wire = await StartAsync();
        using var api = lab.Connect();

        var fault = wire.Now;
        Assert.True(await TestObjects.DeleteDiscoveryAsync(api) >= lab.Nodes.Count, "fewer discovery objects than speakers to delete");
        // One renewal period (10 s) and some: long enough for every speaker to notice and rewrite its Lease.
        await HoldAsync(TimeSpan.FromSeconds(12));
        Keeps(Promise.Steady, wire, fault, "every speaker-* ConfigurationState and Lease deleted");
        var (leases, prefix) = TestObjects.DiscoveryLists[1];
        await WaitForAsync(async () => (await TestObjects.NamesAsync(api, leases, prefix)).Count == lab.Nodes.Count, "every speaker's Lease back", MatrixLab.Deadline);
    }

    [Fact]
    public async Task A_speaker_restarted_with_an_invalid_configuration()
    {
        using var wire = await StartAsync();
        using var api = lab.Connect();
        var owner = lab.OwnerOf(MatrixLab.Gateway);
        var others = lab.Nodes.Except([owner]).ToList();

        var pid = await lab.RunningSpeakerAsync(owner);

        await TestObjects.AddBrokenPoolAsync(api);
        // The running speakers keep their last good configuration: nothing moves while they read the broken one.
        await HoldAsync(TimeSpan.FromSeconds(3));
        var logFrom = lab.SpeakerLog(owner).Length;
        // SIGTERM straight to the speaker, as the kubelet stops a pod: the row times IronLB's goodbye, not ironlb-lab's
        // own start (about a second under load, which once took this row past its promise at 1.65 s).
        var fault = wire.Now;
        await MatrixLab.SignalAsync(pid, "TERM");
        await lab.SpeakerGoneAsync(owner);
        await lab.Lab.OkAsync("restart-speaker", "--node", owner);
        // Its share stays with the others for as long as the configuration is invalid: settled for 6 s, not 2.
        await wire.SettledAsync(lab.ExpectedMacs(others), TimeSpan.FromSeconds(6), $"{owner} restarted with an invalid configuration");
        Keeps(InvalidRestart, wire, fault, "a speaker restarted with an invalid configuration");
        Assert.DoesNotContain(Eligible, lab.SpeakerLog(owner)[logFrom..], StringComparison.Ordinal);
        await WaitForAsync(async () => await TestObjects.SpeakerStateAsync(api, owner) == "not eligible", $"{owner}'s Lease saying it is not eligible", MatrixLab.Deadline);

        var fixedAt = wire.Now;
        await TestObjects.DeleteAsync(api, $"{TestObjects.Pools}/{TestObjects.BrokenPool}");
        await wire.SettledAsync(lab.ExpectedMacs(lab.Nodes), Quiet, "the configuration valid again");
        Keeps(Rejoin, wire, fixedAt, "the configuration valid again");
        Assert.Contains(Eligible, lab.SpeakerLog(owner)[logFrom..], StringComparison.Ordinal);
    }

    /// <summary>What a speaker logs once it has a valid configuration and knows its peers.</summary>
    private const string Eligible = "eligible for the election from now on";

    private async Task<WireWatch> StartAsync()
    {
        Faults.RequireTools();
        return await lab.HealthyAsync();
    }

    /// <summary>Asserts <paramref name="promise"/> over everything heard since <paramref name="fault"/>, and logs the numbers.</summary>
    private void Keeps(Promise promise, WireWatch wire, TimeSpan fault, string row, IReadOnlyDictionary<IPAddress, string>? expected = null)
    {
        var verdict = wire.Verdict(fault, fault);
        var numbers = string.Create(CultureInfo.InvariantCulture, $"{row}: to single {verdict.ToSingle?.TotalMilliseconds:0} ms, longest unanswered {verdict.LongestUnanswered.TotalMilliseconds:0} ms, "
            + $"longest double {verdict.LongestDouble.TotalMilliseconds:0} ms in {verdict.DoubleSamples} rounds");
        TestContext.Current.TestOutputHelper?.WriteLine($"{numbers}\n{wire.Describe(verdict)}");
        // Where the numbers of passing rows go too (docs/membership.md's measurements came from here).
        if (Environment.GetEnvironmentVariable("IRONLB_MATRIX_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllText(report, numbers + "\n");
        }
        var before = wire.Verdict(fault - Quiet, fault - Quiet).Addresses.ToDictionary(a => a.Address, a => a.Changes[^1].Answerers);
        var broken = promise.BrokenBy(verdict, before).ToList();
        if (expected is not null && !promise.NothingMoves)
        {
            broken.AddRange(verdict.Addresses.Where(a => a.FinalAnswerer != expected[a.Address])
                .Select(a => $"{a.Address} ends answered by {(a.FinalAnswerer is { } m ? lab.NodeOfMac(m) : "no single node")}, not {lab.NodeOfMac(expected[a.Address])}"));
        }

        Assert.True(broken.Count == 0, $"{row}: {string.Join("; ", broken)}\n{lab.Explain(wire, verdict)}");
    }

    private Task EveryLeaseSaysAsync(KubeConnection api, string state) =>
        WaitForAsync(
            async () =>
            {
                foreach (var node in lab.Nodes)
                {
                    if (await TestObjects.SpeakerStateAsync(api, node) != state)
                    {
                        return false;
                    }
                }

                return true;
            },
            $"every speaker's Lease saying \"{state}\"",
            MatrixLab.Deadline);

    private static Task HoldAsync(TimeSpan hold) => Task.Delay(hold, TestContext.Current.CancellationToken);
}
