using System.Diagnostics;
using System.Globalization;
using IronLb.Membership.Simulation;

namespace IronLb.Bench;

/// <summary>
/// `membership-scale`: each membership protocol at growing cluster sizes in the scale simulator (fake time,
/// ±200 ppm clocks, 1–3 ms delivery): steady traffic per node, false failovers under 5% loss on every link,
/// and crash detection (every survivor dropped the node; an address it owned has exactly one new claimant).
/// A size whose run would take longer than the wall limit (estimated on CPU time) is printed from the protocol's cost model, marked.
/// </summary>
internal static class MembershipScaleBench
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CrashTimeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan ColdStartLimit = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var (options, errors) = MembershipScaleOptions.Parse(args);
        if (options is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"membership-scale: {error}");
            }

            return 2;
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        if (!options.Sizes.IsEmpty)
        {
            RunSimulation(options);
        }

        if (!options.UdpSizes.IsEmpty)
        {
            await MembershipUdpBench.RunAsync(options);
        }

        return 0;
    }

    /// <summary>The simulated table: every protocol at every size, in one run.</summary>
    private static void RunSimulation(MembershipScaleOptions options)
    {
        Console.WriteLine($"seed: {options.Seed}  steady and 5%-loss phases: {options.Seconds} s each  crashes per size: {options.Crashes}  wall limit: {options.WallLimitSeconds} s");
        foreach (var protocol in options.Protocols)
        {
            Console.WriteLine($"{protocol.Name}: {protocol.Description}");
        }

        Console.WriteLine();
        Console.WriteLine("traffic: sent per node per simulated second in the steady phase; wire adds 46 bytes of headers per datagram");
        Console.WriteLine("CPU ms /node/s: process CPU time of the steady phase / (nodes x simulated seconds), simulator included (an upper bound)");
        Console.WriteLine("false failovers: live-set removals plus answering stops, summed over nodes, in the 5%-loss phase (nothing fails)");
        Console.WriteLine("settled: cold start until every node answers and lists every node");
        Console.WriteLine();
        Console.WriteLine("| protocol | nodes | datagrams /node/s | bytes /node/s | kbit/s /node (wire) | dropped by all: median / p99 / max ms | new owner: median / p99 / max ms | false failovers (5% loss) | CPU ms /node/s | settled s | wall s |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var rows = new List<ScaleRow>();
        foreach (var protocol in options.Protocols)
        {
            WarmUp(protocol);
            var measured = new List<ScaleRow>();
            foreach (var size in options.Sizes)
            {
                var model = ScaleModel.For(protocol.Name);
                var extrapolate = model is not null && measured.Count > 0
                    && (measured[^1].Extrapolated || EstimateWallSeconds(protocol, size, options) > options.WallLimitSeconds);
                var row = extrapolate
                    ? model!.Extrapolate(measured.Where(r => !r.Extrapolated).ToList(), size)
                    : Measure(protocol, size, options);
                measured.Add(row);
                rows.Add(row);
                Console.WriteLine(row.Format());
            }
        }

        // Crashes not resolved within the timeout, with what each survivor showed then: a lead for whoever investigates.
        foreach (var (row, crash) in rows.SelectMany(r => r.Crashes.Where(c => c.Missed is not null).Select(c => (r, c))))
        {
            Console.WriteLine($"missed: {row.Protocol} at {row.Size} nodes, {crash.Victim} crashed at {crash.At.TotalSeconds:0.000} s simulated (address {crash.Address}); after {CrashTimeout.TotalSeconds:0} s: {crash.Missed}");
        }
    }

    /// <summary>
    /// Times one simulated second of a fresh cluster of this size (after its first second, when every node
    /// hears every other) and scales it to the whole run: steady, loss, settling and every crash cycle.
    /// It counts process CPU time, not wall time: on an idle machine they agree (the simulation is one
    /// thread), on a shared one the decision must not depend on the neighbours' load.
    /// </summary>
    private static double EstimateWallSeconds(ProtocolFactory protocol, int size, MembershipScaleOptions options)
    {
        var sim = new ScaleSimulation(protocol, size, options.Seed, clockSpreadPpm: 200);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(1));
        var cpu = Environment.CpuUsage.TotalTime;
        sim.Run(TimeSpan.FromSeconds(1));
        var simulated = (2 * Settle.TotalSeconds) + (2 * options.Seconds) + (options.Crashes * (0.1 + 0.6 + Settle.TotalSeconds));
        return (Environment.CpuUsage.TotalTime - cpu).TotalSeconds * simulated;
    }

    /// <summary>Runs a small cluster for a few seconds so that the first measured size does not pay for the JIT.</summary>
    private static void WarmUp(ProtocolFactory protocol)
    {
        var sim = new ScaleSimulation(protocol, 4, seed: 0, clockSpreadPpm: 200);
        sim.StartAll();
        sim.Run(TimeSpan.FromSeconds(1));
        _ = ScaleScenarios.MeasureCrash(sim, 0, CrashTimeout);
    }

    private static ScaleRow Measure(ProtocolFactory protocol, int size, MembershipScaleOptions options)
    {
        var wall = Stopwatch.StartNew();
        var sim = new ScaleSimulation(protocol, size, options.Seed * 1000 + size, clockSpreadPpm: 200);
        sim.StartAll();
        var coldStart = ScaleScenarios.RunUntilSettled(sim, ColdStartLimit);
        sim.Run(Settle);
        var traffic = ScaleScenarios.MeasureTraffic(sim, TimeSpan.FromSeconds(options.Seconds));

        sim.Network.Loss = 0.05;
        var falseFailovers = ScaleScenarios.CountFalseFailovers(sim, TimeSpan.FromSeconds(options.Seconds));
        sim.Network.Loss = 0;
        ScaleScenarios.RunUntilSettled(sim, ColdStartLimit);
        sim.Run(Settle);

        var crashes = new List<CrashSample>();
        for (var c = 0; c < options.Crashes; c++)
        {
            sim.Run(TimeSpan.FromMilliseconds(sim.Random.Next(200))); // crash at a random phase of every node's beat
            var victim = sim.Random.Next(size);
            crashes.Add(ScaleScenarios.MeasureCrash(sim, victim, CrashTimeout));
            sim.Start(victim);
            ScaleScenarios.RunUntilSettled(sim, ColdStartLimit); // the restarted node must be back (v2: joined) before the next crash
            sim.Run(Settle);
        }

        return new ScaleRow(protocol.Name, size, traffic, falseFailovers, crashes, wall.Elapsed.TotalSeconds, Extrapolated: false, Model: null, coldStart);
    }
}

/// <summary>One printed row: measured, or extrapolated from measured rows by a named model.</summary>
internal sealed record ScaleRow(
    string Protocol,
    int Size,
    TrafficSample Traffic,
    int? FalseFailovers,
    IReadOnlyList<CrashSample> Crashes,
    double WallSeconds,
    bool Extrapolated,
    string? Model,
    TimeSpan? ColdStart = null)
{
    public string Format()
    {
        var t = Traffic;
        var lead = Extrapolated ? $"{Protocol} | {Size} (extrapolated, {Model})" : $"{Protocol} | {Size}";
        return Invariant($"| {lead} | {t.DatagramsPerSecond:0} | {t.BytesPerSecond:0} | {t.WireBitsPerSecond / 1000:0.#} | {Stats(c => c.AllDropped)} | {Stats(c => c.NewOwner)} | {(FalseFailovers is { } f ? f.ToString(CultureInfo.InvariantCulture) : "not run")} | {t.CpuMsPerSecond:0.###} | {Settled()} | {(Extrapolated ? "—" : WallSeconds.ToString("0", CultureInfo.InvariantCulture))} |");
    }

    private string Settled() =>
        Extrapolated ? "—" : ColdStart is { } t ? Invariant($"{t.TotalSeconds:0.0#}") : Invariant($"not in {MembershipScaleBench.ColdStartLimit.TotalSeconds:0}");

    private string Stats(Func<CrashSample, TimeSpan?> pick)
    {
        if (Crashes.Count == 0)
        {
            return "not run";
        }

        var times = Crashes.Select(pick).Where(t => t is not null).Select(t => t!.Value.TotalMilliseconds).Order().ToList();
        var missed = Crashes.Count - times.Count;
        var suffix = missed == 0 ? "" : $" ({missed} of {Crashes.Count} not within {MembershipScaleBench.CrashTimeout.TotalSeconds:0} s)";
        return times.Count == 0
            ? $"none{suffix}"
            : Invariant($"{times[times.Count / 2]:0} / {times[Math.Max(0, (int)Math.Ceiling(times.Count * 0.99) - 1)]:0} / {times[^1]:0}{suffix}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// How a protocol's costs grow, for sizes too slow to simulate. Only v1 has one: every node sends N − 1
/// heartbeats per interval, each carrying the N-entry view, so bytes per datagram are linear in N (fitted on
/// the two largest measured rows), per node N², the cluster N³. CPU per node is the last measured CPU per
/// datagram times the datagrams (a lower bound: measured, the per-event cost dominates up to 50 nodes).
/// </summary>
internal sealed record ScaleModel(string Name)
{
    public static ScaleModel? For(string protocol) => protocol == "v1" ? new ScaleModel("N³ model; CPU a lower bound") : null;

    public static double WallSeconds(ScaleRow last, int size) => last.WallSeconds * Math.Pow((double)size / last.Size, 3);

    public ScaleRow Extrapolate(IReadOnlyList<ScaleRow> measured, int size)
    {
        var last = measured[^1];
        var perDatagram = last.Traffic.BytesPerSecond / last.Traffic.DatagramsPerSecond;
        var slope = perDatagram / last.Size; // one measured row: bytes per datagram taken as proportional to N
        if (measured.Count >= 2)
        {
            var before = measured[^2];
            slope = (perDatagram - (before.Traffic.BytesPerSecond / before.Traffic.DatagramsPerSecond)) / (last.Size - before.Size);
        }

        var datagrams = last.Traffic.DatagramsPerSecond * (size - 1) / (last.Size - 1);
        var bytes = datagrams * (perDatagram + (slope * (size - last.Size)));
        // CPU per datagram as last measured: a lower bound, since decoding and signing grow with the view.
        var cpu = last.Traffic.CpuMsPerSecond / last.Traffic.DatagramsPerSecond * datagrams;
        var traffic = new TrafficSample(datagrams, bytes, (bytes + (datagrams * ScaleScenarios.HeaderBytes)) * 8, cpu, TimeSpan.Zero);
        return new ScaleRow(last.Protocol, size, traffic, FalseFailovers: null, Crashes: [], WallSeconds(last, size), Extrapolated: true, Model: Name);
    }
}
