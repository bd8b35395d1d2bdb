using System.Net;
using IronLb.Testing.Network;
using static IronLb.Testing.Eventually;

namespace IronLb.Lab.Tests.FaultMatrix;

/// <summary>
/// The wire judge running through one test: a <see cref="NeighbourProber"/> in the external client's namespace
/// asking for every Service address each <see cref="MatrixLab.ProbePeriod"/>, and the verdicts drawn from it.
/// </summary>
/// <param name="prober">The client's prober.</param>
/// <param name="targets">The Service addresses it asks for.</param>
/// <param name="nodeOfMac">Names a MAC's node, for messages.</param>
/// <param name="labState">The lab's side of a failure message (its logs' tails), read only when a wait gives up.</param>
internal sealed class WireWatch(NeighbourProber prober, IReadOnlyList<IPAddress> targets, Func<string, string> nodeOfMac, Func<string> labState) : IDisposable
{
    /// <summary>Now on the watch's monotonic clock: take it right before injecting a fault.</summary>
    public TimeSpan Now => prober.Now;

    public IReadOnlyList<IPAddress> Targets => targets;

    /// <summary>Everything heard so far, judged against a fault at <paramref name="fault"/>.</summary>
    public WireVerdict Verdict(TimeSpan fault) => WireJudge.Judge(Samples(), fault);

    /// <summary>Every sample since <paramref name="from"/>, judged against a fault at <paramref name="fault"/>.</summary>
    public WireVerdict Verdict(TimeSpan from, TimeSpan fault) => WireJudge.Judge(Samples().Where(s => s.At >= from), fault);

    /// <summary>
    /// Waits until, for a whole <paramref name="quiet"/>, every address was answered in every round by exactly the
    /// MAC <paramref name="expectedMacs"/> names for it.
    /// </summary>
    /// <param name="expectedMacs">The answerer wanted for each address.</param>
    /// <param name="quiet">How long it must hold.</param>
    /// <param name="why">For the failure message.</param>
    /// <param name="since">Only rounds from this moment on count (for a fault that starts by silencing the same answerers).</param>
    public async Task SettledAsync(IReadOnlyDictionary<IPAddress, string> expectedMacs, TimeSpan quiet, string why, TimeSpan? since = null)
    {
        var from = since ?? TimeSpan.Zero;
        await WaitForAsync(
            () =>
            {
                var recent = Samples().Where(s => s.At >= Now - quiet).ToList();
                return Task.FromResult(Now > quiet && Now - from >= quiet
                    && targets.All(t => recent.Count(s => s.Address.Equals(t)) >= (int)(quiet / prober.Period) - 2)
                    && recent.All(s => s.Macs.Count == 1 && s.Macs[0] == expectedMacs[s.Address]));
            },
            $"every address answered by its expected node alone for {quiet.TotalSeconds} s ({why})",
            MatrixLab.Deadline,
            () => Task.FromResult("expected " + string.Join(", ", expectedMacs.Select(e => $"{e.Key} by {nodeOfMac(e.Value)}"))
                + "\nheard in the last 3 s:\n" + Describe(Verdict(Now - TimeSpan.FromSeconds(3), Now - TimeSpan.FromSeconds(3))) + "\n" + labState()));
    }

    /// <summary>Waits until nobody answered any address in the last few rounds; returns that moment.</summary>
    public async Task<TimeSpan> SilentAsync(string why)
    {
        var rounds = TimeSpan.FromTicks(prober.Period.Ticks * 3);
        await WaitForAsync(
            () => Task.FromResult(Now > rounds && Samples().Where(s => s.At >= Now - rounds).All(s => s.Macs.Count == 0)),
            $"no address answered for three rounds ({why})",
            MatrixLab.Deadline,
            () => Task.FromResult("heard in the last 3 s:\n" + Describe(Verdict(Now - TimeSpan.FromSeconds(3), Now - TimeSpan.FromSeconds(3))) + "\n" + labState()));
        return Now;
    }

    /// <summary>A verdict for a failure message, with MACs named by node.</summary>
    public string Describe(WireVerdict verdict)
    {
        var text = verdict.ToString();
        foreach (var mac in Samples().SelectMany(s => s.Macs).Distinct())
        {
            text = text.Replace(mac, nodeOfMac(mac), StringComparison.Ordinal);
        }

        return text;
    }

    public void Dispose() => prober.Dispose();

    private IReadOnlyList<WireSample> Samples()
    {
        var (rounds, replies) = prober.Snapshot();
        return WireJudge.Samples(rounds, replies, targets);
    }
}
