using System.Diagnostics;

namespace IronLb.Membership.Simulation;

/// <summary>
/// The measurements `membership-scale` prints, on an already started simulation: steady traffic and CPU,
/// false failovers under loss, and detection of a crash. Each runs simulated time and returns plain numbers.
/// </summary>
public static class ScaleScenarios
{
    /// <summary>Ethernet (14 + 4 FCS), IPv4 (20) and UDP (8) headers: what a datagram costs on the wire beyond its payload.</summary>
    public const int HeaderBytes = 46;

    /// <summary>
    /// Runs until every running node answers and its live set holds every running node (v2 joins take longer than
    /// v1's first heartbeats, and a restarted node must be back before the next crash), at most <paramref name="limit"/>.
    /// Returns how long it took; null when the limit passed first.
    /// </summary>
    public static TimeSpan? RunUntilSettled(ScaleSimulation sim, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(sim);
        var started = sim.Now;
        var running = sim.Running.ToList();
        var step = TimeSpan.FromMilliseconds(50);
        while (sim.Now - started < limit)
        {
            if (running.All(i => sim.Node(i) is { Answering: true } node && running.All(j => node.Live.Contains(sim.Names[j]))))
            {
                return sim.Now - started;
            }

            sim.Run(step);
        }

        return null;
    }

    /// <summary>Counts what every node sends during <paramref name="duration"/>, and the process CPU it took.</summary>
    public static TrafficSample MeasureTraffic(ScaleSimulation sim, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(sim);
        sim.Network.ResetCounters();
        var cpu = Environment.CpuUsage.TotalTime;
        var wall = Stopwatch.StartNew();
        sim.Run(duration);
        var cpuSpent = Environment.CpuUsage.TotalTime - cpu;
        long datagrams = 0, bytes = 0;
        for (var i = 0; i < sim.Size; i++)
        {
            datagrams += sim.Network.Traffic(i).SentDatagrams;
            bytes += sim.Network.Traffic(i).SentBytes;
        }

        var nodeSeconds = sim.Size * duration.TotalSeconds;
        return new TrafficSample(
            datagrams / nodeSeconds,
            bytes / nodeSeconds,
            (bytes + (datagrams * HeaderBytes)) * 8 / nodeSeconds,
            cpuSpent.TotalMilliseconds / nodeSeconds,
            wall.Elapsed);
    }

    /// <summary>
    /// Runs <paramref name="duration"/> with nothing failing and counts false failovers: each time a node drops
    /// a member from its live set, or stops answering itself. With every node up, each is a false one.
    /// </summary>
    public static int CountFalseFailovers(ScaleSimulation sim, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(sim);
        var liveCount = new int[sim.Size];
        var answering = new bool[sim.Size];
        for (var i = 0; i < sim.Size; i++)
        {
            liveCount[i] = sim.Node(i)?.Live.Count ?? 0;
            answering[i] = sim.Node(i)?.Answering ?? false;
        }

        var falseFailovers = 0;
        void Observe(int node)
        {
            var instance = sim.Node(node)!;
            var count = instance.Live.Count;
            if (count < liveCount[node] || (answering[node] && !instance.Answering))
            {
                falseFailovers++;
            }

            liveCount[node] = count;
            answering[node] = instance.Answering;
        }

        sim.NodeStepped += Observe;
        try
        {
            sim.Run(duration);
        }
        finally
        {
            sim.NodeStepped -= Observe;
        }

        return falseFailovers;
    }

    /// <summary>
    /// Crashes <paramref name="victim"/> now and runs until every other running node has dropped it from its
    /// live set and an address it owned has exactly one new claimant, or until <paramref name="timeout"/>.
    /// Times are from the crash; null when not reached within the timeout.
    /// </summary>
    public static CrashSample MeasureCrash(ScaleSimulation sim, int victim, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(sim);
        var address = AddressOwnership.OwnedBy(sim, victim);
        var victimName = sim.Names[victim];
        var survivors = sim.Running.Where(i => i != victim).ToList();
        var dropped = new bool[sim.Size];
        var pending = survivors.Count;
        var crashedAt = sim.Now;
        TimeSpan? allDropped = null, newOwner = null;

        sim.Crash(victim);
        address.RefreshAll();
        void Observe(int node)
        {
            address.Refresh(node);
            if (newOwner is null && address.Claimants == 1)
            {
                newOwner = sim.Now - crashedAt;
            }

            if (!dropped[node] && node != victim && sim.Node(node) is { } instance && !instance.Live.Contains(victimName))
            {
                dropped[node] = true;
                if (--pending == 0)
                {
                    allDropped = sim.Now - crashedAt;
                }
            }
        }

        sim.NodeStepped += Observe;
        try
        {
            sim.Run(timeout, () => allDropped is not null && newOwner is not null);
        }
        finally
        {
            sim.NodeStepped -= Observe;
        }

        var missed = allDropped is not null && newOwner is not null ? null : string.Join("; ", survivors.Select(i => sim.Node(i) is { } n
            ? $"{sim.Names[i]} {(n.Answering ? "answering" : "not answering")}, {(n.Live.Contains(victimName) ? "still lists it" : "dropped it")}{(address.Claims(i) ? ", claims" : "")}"
            : $"{sim.Names[i]} down"));
        return new CrashSample(victimName, address.Address, allDropped, newOwner, crashedAt, missed);
    }
}

/// <summary>Per node and simulated second: datagrams and UDP payload bytes sent, bits on the wire, process CPU (ms).</summary>
public sealed record TrafficSample(double DatagramsPerSecond, double BytesPerSecond, double WireBitsPerSecond, double CpuMsPerSecond, TimeSpan Wall);

/// <summary>One crash: until every survivor dropped the victim, and until its address had a single new claimant.</summary>
/// <summary>Missed: when either was not reached, each survivor's state at the timeout (for the report under the table).</summary>
public sealed record CrashSample(string Victim, string Address, TimeSpan? AllDropped, TimeSpan? NewOwner, TimeSpan At = default, string? Missed = null);
