using System.Diagnostics;
using IronLb.Lab.Routers;
using IronLb.Testing;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// The sender's BGP process killed (SIGKILL) → its paths gone from the receiver, seen two ways at once on one
/// monotonic clock from just before the signal, each polled back to back: FRR's RIB (`show bgp summary json` until
/// both families' ribCount is 0) and the receiver namespace's kernel table (`ip route show proto bgp`, both
/// families, until zebra has removed every route it installed). Each is exact to one reading (a vtysh round trip;
/// a route listing, which shrinks as the routes go). Not `ip monitor route`: 10,736 deletions at once overflow its
/// netlink socket on a loaded machine, and a lost deletion would never be counted.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class KillWithdrawal
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>Milliseconds from the kill until the RIB held no path, and until the kernel held no bgp route.</summary>
    public static async Task<(double RibMs, double KernelMs)> MeasureAsync(FrrRouter receiver, string receiverNs, int pid)
    {
        if (await KernelBgpRoutesAsync(receiverNs).ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException($"zebra installed no bgp route in {receiverNs}: nothing to see withdrawn");
        }

        using var target = Process.GetProcessById(pid);
        var killedAt = Stopwatch.GetTimestamp();
        target.Kill();
        var rib = RibEmptyAsync(receiver, killedAt);
        var kernel = KernelEmptyAsync(receiverNs, killedAt);
        return (Stopwatch.GetElapsedTime(killedAt, await rib.ConfigureAwait(false)).TotalMilliseconds,
            Stopwatch.GetElapsedTime(killedAt, await kernel.ConfigureAwait(false)).TotalMilliseconds);
    }

    /// <summary>The timestamp of the first listing with no bgp route in the namespace's kernel table.</summary>
    private static async Task<long> KernelEmptyAsync(string ns, long killedAt)
    {
        while (true)
        {
            var left = await KernelBgpRoutesAsync(ns).ConfigureAwait(false);
            var at = Stopwatch.GetTimestamp();
            if (left == 0)
            {
                return at;
            }

            if (Stopwatch.GetElapsedTime(killedAt) > Deadline)
            {
                throw new TimeoutException($"{left} bgp routes still in {ns}'s kernel table {Deadline} after the kill");
            }
        }
    }

    /// <summary>The timestamp of the first reading with no path in either family's RIB.</summary>
    private static async Task<long> RibEmptyAsync(FrrRouter receiver, long killedAt)
    {
        while (true)
        {
            var summary = await receiver.VtyshAsync("show bgp summary json").ConfigureAwait(false);
            var at = Stopwatch.GetTimestamp();
            if (FrrSummary.RibCount(summary, "ipv4Unicast") == 0 && FrrSummary.RibCount(summary, "ipv6Unicast") == 0)
            {
                return at;
            }

            if (Stopwatch.GetElapsedTime(killedAt) > Deadline)
            {
                throw new TimeoutException($"the receiver still held paths {Deadline} after the kill: {summary}");
            }
        }
    }

    /// <summary>Routes zebra installed from BGP in the namespace's main table, both families (a multipath route's nexthop lines are indented).</summary>
    private static async Task<int> KernelBgpRoutesAsync(string ns)
    {
        var count = 0;
        foreach (var family in new[] { "-4", "-6" })
        {
            var text = await ProcessRunner.CheckAsync("ip", "-n", ns, family, "route", "show", "proto", "bgp").ConfigureAwait(false);
            count += text.Split('\n').Count(l => l.Length > 0 && !char.IsWhiteSpace(l[0]));
        }

        return count;
    }
}
