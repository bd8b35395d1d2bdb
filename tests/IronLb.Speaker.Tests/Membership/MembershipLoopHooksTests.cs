using System.Collections.Concurrent;
using System.Net;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// The loop's liveness hooks, on real sockets on 127.0.0.1: every tick reports itself (the answer deadline and
/// /healthz hang on it), and the last report, "leaving", comes before the goodbye lets the peers take over.
/// </summary>
public sealed class MembershipLoopHooksTests
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 5))], insecure: false);
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Ticks_report_themselves_and_leaving_comes_after_the_last_tick_and_before_the_goodbye()
    {
        var options = new MembershipOptions();
        using var ta = UdpMembershipTransport.Open(Loopback);
        using var tb = UdpMembershipTransport.Open(Loopback);
        var a = new MembershipProtocol("a", options, Key, TimeProvider.System);
        var b = new MembershipProtocol("b", options, Key, TimeProvider.System);
        var peers = new Dictionary<string, IPEndPoint> { ["a"] = ta.LocalEndPoint, ["b"] = tb.LocalEndPoint };
        var events = new ConcurrentQueue<string>();
        var loopA = new MembershipLoop(a, ta, options, TimeProvider.System, NullLogger.Instance)
        {
            Ticked = () => events.Enqueue("tick"),
            Leaving = () => events.Enqueue("leaving"),
        };
        var loopB = new MembershipLoop(b, tb, options, TimeProvider.System, NullLogger.Instance);
        loopA.SetPeers(peers);
        loopB.SetPeers(peers);
        var bothSeeBoth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        b.ViewChanged += (_, view) =>
        {
            if (view.Live.SetEquals(["a", "b"]))
            {
                bothSeeBoth.TrySetResult();
            }
            else if (view.Excluded.TryGetValue("a", out var reason) && reason == ExclusionReason.Left)
            {
                events.Enqueue("goodbye heard");
            }
        };

        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runA = loopA.RunAsync(stopA.Token);
        var runB = loopB.RunAsync(stopB.Token);
        try
        {
            await bothSeeBoth.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            await Eventually.WaitForAsync(() => events.Count(e => e == "tick") >= 4, "ticks to report");
            await stopA.CancelAsync();
            await runA;
            await Eventually.WaitForAsync(() => events.Contains("goodbye heard"), "b to hear the goodbye");
        }
        finally
        {
            await stopA.CancelAsync();
            await stopB.CancelAsync();
            await Task.WhenAll(runA, runB);
        }

        var order = events.ToList();
        Assert.Equal(["leaving", "goodbye heard"], order.SkipWhile(e => e == "tick"));
    }
}
