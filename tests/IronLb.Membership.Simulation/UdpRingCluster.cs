using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using IronLb.Core.Announcement;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Membership.Simulation;

/// <summary>
/// N membership v2 endpoints in this process on real UDP sockets over loopback, each on its own address
/// 127.77.x.y (loopback answers all of 127/8 on Linux; one address per endpoint because the datagram gate admits
/// sources by address), real HMAC, real clocks and timers. It measures what the simulation cannot: the cost of
/// real sockets and a busy scheduler. Killed endpoints stay dead (no restart).
/// </summary>
internal sealed class UdpRingCluster : IDisposable
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))], insecure: false);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    private readonly UdpRingEndpoint[] _endpoints;

    /// <summary>Binds every socket; nothing is sent until <see cref="Start"/>.</summary>
    public UdpRingCluster(int size, int seed, RingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 250 * 250);
        var random = new Random(seed);
        Names = [.. Enumerable.Range(0, size).Select(i => $"node-{i:D3}")];
        var created = new List<UdpRingEndpoint>();
        try
        {
            for (var i = 0; i < size; i++)
            {
                var address = new IPAddress([127, 77, (byte)(i / 250), (byte)((i % 250) + 1)]);
                created.Add(new UdpRingEndpoint(Names[i], address, Key, options ?? new RingOptions(), random.Next(), Lag));
            }
        }
        catch
        {
            created.ForEach(e => e.Dispose()); // a failed bind must not leave the others' sockets open
            throw;
        }

        _endpoints = [.. created];
    }

    public ImmutableArray<string> Names { get; }

    public int Size => _endpoints.Length;

    public TickLag Lag { get; } = new();

    public IEnumerable<int> Alive => Enumerable.Range(0, Size).Where(i => !_endpoints[i].Killed);

    public UdpRingEndpoint Endpoint(int i) => _endpoints[i];

    public void Start()
    {
        var members = _endpoints.ToDictionary(e => e.Name, e => e.EndPoint, StringComparer.Ordinal);
        foreach (var endpoint in _endpoints)
        {
            endpoint.Start(members);
        }
    }

    /// <summary>Waits until every live endpoint answers and elects over every live endpoint; null when <paramref name="limit"/> passed first.</summary>
    public async Task<TimeSpan?> WaitUntilSettledAsync(TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            var alive = Alive.Select(i => Names[i]).ToList();
            if (Alive.All(i => _endpoints[i].State() is { Answering: true } s && s.ElectionSet.Count == alive.Count && alive.All(s.ElectionSet.Contains)))
            {
                return Stopwatch.GetElapsedTime(started);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Counts what the live endpoints' sockets send and receive for <paramref name="duration"/>, the process CPU, and tick lag.</summary>
    public async Task<UdpTrafficSample> MeasureTrafficAsync(TimeSpan duration)
    {
        var alive = Alive.ToList();
        alive.ForEach(i => _endpoints[i].ResetCounters());
        Lag.Reset();
        var refusedBefore = alive.Select(i => _endpoints[i].Refused).ToList();
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var disruptions = await CountDisruptionsAsync(alive, duration).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        var sent = alive.Select(i => (_endpoints[i].SentDatagrams / seconds, _endpoints[i].SentBytes / seconds)).ToList();
        var received = alive.Sum(i => _endpoints[i].ReceivedDatagrams) / seconds / alive.Count;
        var refused = alive.Select((i, k) => (_endpoints[i].Refused.Gate - refusedBefore[k].Gate) + (_endpoints[i].Refused.Ring - refusedBefore[k].Ring)).Sum();
        return new UdpTrafficSample(
            alive.Count,
            sent.Average(s => s.Item1),
            sent.Average(s => s.Item2),
            sent.Max(s => s.Item2),
            received,
            refused,
            disruptions,
            cpuMs / (alive.Count * seconds),
            Lag.Sample());
    }

    /// <summary>
    /// Polls every 20 ms for <paramref name="duration"/> and counts what the simulation counts as false failovers: an
    /// endpoint's election set shrinking, or an endpoint ceasing to answer. With nothing killed, each is a false one
    /// (on a loaded machine, late ticks fence endpoints and delay heartbeats: this is where it shows).
    /// </summary>
    private async Task<int> CountDisruptionsAsync(List<int> alive, TimeSpan duration)
    {
        var last = alive.Select(i => _endpoints[i].State()).Select(s => (s.Answering, s.ElectionSet.Count)).ToArray();
        var disruptions = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
            for (var k = 0; k < alive.Count; k++)
            {
                var (answering, electionSet) = _endpoints[alive[k]].State();
                if (electionSet.Count < last[k].Count || (last[k].Answering && !answering))
                {
                    disruptions++;
                }

                last[k] = (answering, electionSet.Count);
            }
        }

        return disruptions;
    }

    /// <summary>
    /// Kills <paramref name="victim"/> (its loops stop, its socket closes) and polls every 5 ms until every live endpoint's
    /// election set excludes it and an address it answered for has exactly one claimant again: the next in the election's
    /// order, answering. Times are from the kill; null when not reached within <paramref name="timeout"/>.
    /// </summary>
    public async Task<UdpCrashSample> KillAsync(int victim, TimeSpan timeout)
    {
        var survivors = Alive.Where(i => i != victim).ToList();
        var address = AddressWonBy(victim, [.. Alive]);
        var order = Alive.OrderBy(i => L2Election.Hash(Names[i], address), ByteOrder.Instance).Select(i => Names[i]).ToList();
        var victimName = Names[victim];
        Lag.Reset();
        var killedAt = Stopwatch.GetTimestamp();
        _endpoints[victim].Kill();
        TimeSpan? allDropped = null, newOwner = null;
        while (Stopwatch.GetElapsedTime(killedAt) < timeout && (allDropped is null || newOwner is null))
        {
            await Task.Delay(Poll).ConfigureAwait(false);
            var states = survivors.Select(i => _endpoints[i].State()).ToList();
            var at = Stopwatch.GetElapsedTime(killedAt);
            if (allDropped is null && states.All(s => !s.ElectionSet.Contains(victimName)))
            {
                allDropped = at;
            }

            if (newOwner is null && Claimants(survivors, states, order) == 1)
            {
                newOwner = at;
            }
        }

        return new UdpCrashSample(victimName, address, order[1], allDropped, newOwner, Lag.Sample());
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    /// <summary>Survivors that answer and come first in the address's order within their own election set.</summary>
    private int Claimants(List<int> survivors, List<(bool Answering, IReadOnlySet<string> ElectionSet)> states, List<string> order)
    {
        var claimants = 0;
        for (var k = 0; k < survivors.Count; k++)
        {
            var (answering, electionSet) = states[k];
            if (answering && order.FirstOrDefault(electionSet.Contains) == Names[survivors[k]])
            {
                claimants++;
            }
        }

        return claimants;
    }

    /// <summary>The first of 2001:db8::N whose election, among <paramref name="among"/>, <paramref name="node"/> wins.</summary>
    private string AddressWonBy(int node, IReadOnlyList<int> among)
    {
        for (var n = 1; ; n++)
        {
            var address = $"2001:db8::{n:x}";
            var hash = L2Election.Hash(Names[node], address);
            if (among.All(i => i == node || ByteOrder.Instance.Compare(hash, L2Election.Hash(Names[i], address)) < 0))
            {
                return address;
            }
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>Per live endpoint and second: datagrams and payload bytes sent (mean, and bytes of the busiest), datagrams received;
/// refusals by the gate or the ring; removals and answering stops seen by 20 ms polls; process CPU ms per endpoint-second; tick lag.</summary>
internal sealed record UdpTrafficSample(
    int Endpoints,
    double DatagramsPerSecond,
    double BytesPerSecond,
    double MaxBytesPerSecond,
    double ReceivedPerSecond,
    long Refused,
    int Disruptions,
    double CpuMsPerSecond,
    TickLagSample Lag);

/// <summary>One kill: until every survivor's election set excluded the victim, and until its address had one answering claimant again.</summary>
internal sealed record UdpCrashSample(string Victim, string Address, string NextOwner, TimeSpan? AllDropped, TimeSpan? NewOwner, TickLagSample Lag);
