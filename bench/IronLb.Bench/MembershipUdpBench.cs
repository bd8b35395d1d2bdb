using System.Globalization;
using IronLb.Membership.Simulation;

namespace IronLb.Bench;

/// <summary>
/// The real-UDP part of `membership-scale`: membership v2 endpoints in this process on loopback sockets (one
/// 127.77.x.y address each), real HMAC, real timers. Steady traffic per endpoint from the sockets' byte counters,
/// then kills, one at a time, each timed until every survivor's election set excludes the victim and until the next
/// owner of an address the victim answered for answers it alone. Tick lag is printed beside: on a shared machine
/// late ticks, not the protocol, may be what is measured.
/// </summary>
internal static class MembershipUdpBench
{
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(MembershipScaleOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"real UDP, v2: endpoints on 127.77.x.y, {UdpRingEndpoint.TickPeriod.TotalMilliseconds:0} ms tick loop each, {options.Seconds} s steady, {options.Kills} kills (no restart), seed {options.Seed}");
        Console.WriteLine("traffic: from each endpoint's socket counters over wall seconds; wire adds 46 bytes per datagram as on Ethernet");
        Console.WriteLine("CPU ms /endpoint/s: process CPU / (endpoints x wall seconds); tick lag: how late ticks ran behind their due time");
        Console.WriteLine("false failovers: election-set removals plus answering stops in the steady phase, seen by polls every 20 ms (nothing fails)");
        Console.WriteLine();
        Console.WriteLine("| endpoints | settled s | datagrams /endpoint/s | bytes /endpoint/s (max) | kbit/s /endpoint (wire) | received /endpoint/s | refused | false failovers | CPU ms /endpoint/s | tick lag median / p99 / max ms |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var kills = new List<(int Endpoints, UdpCrashSample Sample)>();
        foreach (var size in options.UdpSizes)
        {
            using var cluster = new UdpRingCluster(size, options.Seed);
            cluster.Start();
            var settled = await cluster.WaitUntilSettledAsync(SettleLimit);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var t = await cluster.MeasureTrafficAsync(TimeSpan.FromSeconds(options.Seconds));
            Console.WriteLine(Invariant(
                $"| {size} | {(settled is { } s ? s.TotalSeconds.ToString("0.0#", CultureInfo.InvariantCulture) : $"not in {SettleLimit.TotalSeconds:0}")} | {t.DatagramsPerSecond:0.0} | {t.BytesPerSecond:0} ({t.MaxBytesPerSecond:0}) | {(t.BytesPerSecond + (t.DatagramsPerSecond * ScaleScenarios.HeaderBytes)) * 8 / 1000:0.0} | {t.ReceivedPerSecond:0.0} | {t.Refused} | {t.Disruptions} | {t.CpuMsPerSecond:0.00} | {Lag(t.Lag)} |"));

            var random = new Random(options.Seed);
            foreach (var victim in Enumerable.Range(0, size).OrderBy(_ => random.Next()).Take(options.Kills))
            {
                kills.Add((size, await cluster.KillAsync(victim, KillTimeout)));
                await Task.Delay(TimeSpan.FromSeconds(2));
                await cluster.WaitUntilSettledAsync(SettleLimit);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| endpoints | killed | address | next owner | dropped by all ms | next owner answers ms | tick lag median / p99 / max ms (during) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (size, k) in kills)
        {
            Console.WriteLine($"| {size} | {k.Victim} | {k.Address} | {k.NextOwner} | {Ms(k.AllDropped)} | {Ms(k.NewOwner)} | {Lag(k.Lag)} |");
        }
    }

    private static string Ms(TimeSpan? t) =>
        t is { } value ? value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) : $"not in {KillTimeout.TotalSeconds:0} s";

    private static string Lag(TickLagSample lag) => Invariant($"{lag.MedianMs:0.0} / {lag.P99Ms:0.0} / {lag.MaxMs:0.0}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
