using System.Diagnostics;
using IronLb.Lab.Routers;
using IronLb.Testing;

namespace IronLb.Bench.BgpInstall;

/// <summary>
/// The sender's BGP process killed (SIGKILL) → its paths gone from the receiver, seen two ways on one monotonic
/// clock from just before the signal: FRR's RIB (`show bgp summary json` polled back to back until both families'
/// ribCount is 0: exact to one vtysh round trip) and the receiver namespace's kernel table (`ip monitor route`
/// counting the deletions of routes zebra installed with proto bgp, timed as each line arrives, until every one
/// that was there before the kill is gone).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class KillWithdrawal
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>A prefix only this watch uses, routed nowhere (blackhole) in the receiver's own namespace, to see that the monitor listens.</summary>
    private const string Marker = "2001:db8:b9:ffff::/64";

    /// <summary>Milliseconds from the kill until the RIB held no path, and until the kernel held no bgp route.</summary>
    public static async Task<(double RibMs, double KernelMs)> MeasureAsync(FrrRouter receiver, string receiverNs, int pid)
    {
        var installed = await KernelBgpRoutesAsync(receiverNs).ConfigureAwait(false);
        if (installed == 0)
        {
            throw new InvalidOperationException($"zebra installed no bgp route in {receiverNs}: nothing to see withdrawn");
        }

        var deletions = 0;
        var kernelEmpty = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = Process.Start(ProcessRunner.StartInfo("ip", ["-n", receiverNs, "monitor", "route"]))
            ?? throw new InvalidOperationException("could not start ip monitor");
        monitor.OutputDataReceived += (_, e) =>
        {
            var at = Stopwatch.GetTimestamp();
            if (e.Data is not { } line)
            {
                return;
            }

            if (line.Contains(Marker, StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
            else if (line.StartsWith("Deleted ", StringComparison.Ordinal) && line.Contains(" proto bgp", StringComparison.Ordinal)
                && Interlocked.Increment(ref deletions) == installed)
            {
                kernelEmpty.TrySetResult(at);
            }
        };
        monitor.BeginOutputReadLine();
        try
        {
            // ip monitor says nothing when it has subscribed; a route of our own appearing in its output does. Added
            // again until it is seen, since one added before the subscription is never reported.
            for (var attempt = 0; !listening.Task.IsCompleted; attempt++)
            {
                if (attempt == 100)
                {
                    throw new TimeoutException($"ip monitor in {receiverNs} never reported the marker route");
                }

                await ProcessRunner.CheckAsync("ip", "-n", receiverNs, "route", "add", "blackhole", Marker);
                await Task.WhenAny(listening.Task, Task.Delay(200)).ConfigureAwait(false);
                await ProcessRunner.CheckAsync("ip", "-n", receiverNs, "route", "del", "blackhole", Marker);
            }

            using var target = Process.GetProcessById(pid);
            var killedAt = Stopwatch.GetTimestamp();
            target.Kill();
            var ribEmpty = await RibEmptyAsync(receiver, killedAt).ConfigureAwait(false);
            var kernelAt = await kernelEmpty.Task.WaitAsync(Deadline).ConfigureAwait(false);
            return (Stopwatch.GetElapsedTime(killedAt, ribEmpty).TotalMilliseconds, Stopwatch.GetElapsedTime(killedAt, kernelAt).TotalMilliseconds);
        }
        finally
        {
            monitor.Kill();
            await monitor.WaitForExitAsync().ConfigureAwait(false);
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
