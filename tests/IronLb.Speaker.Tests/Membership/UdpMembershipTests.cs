using System.Net;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>The real sockets, on 127.0.0.1 only.</summary>
public sealed class UdpMembershipTests
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))], insecure: false);
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task TransportCarriesAnAuthenticatedHeartbeatOverLoopback()
    {
        using var a = UdpMembershipTransport.Open(Loopback);
        using var b = UdpMembershipTransport.Open(Loopback);
        var time = new FakeTimeProvider();
        var sender = new MembershipProtocol("a", new MembershipOptions(), Key, time);
        var receiver = new MembershipProtocol("b", new MembershipOptions(), Key, time);
        sender.Start();
        receiver.Start();
        sender.SetPeers(["a", "b"]);
        receiver.SetPeers(["a", "b"]);

        var heartbeat = Assert.Single(sender.Tick());
        await a.SendAsync(heartbeat.Payload, b.LocalEndPoint, TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[MembershipCodec.MaxDatagram];
        var (length, from) = await b.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(a.LocalEndPoint, from);
        Assert.Equal(ReceiveOutcome.Accepted, receiver.Receive(buffer.AsSpan(0, length)));
        Assert.Equal(ReceiveOutcome.Replayed, receiver.Receive(buffer.AsSpan(0, length)));
    }

    [Fact]
    public async Task TwoLoopsFindEachOtherAndAGoodbyeRemovesTheLeaver()
    {
        var options = new MembershipOptions();
        using var ta = UdpMembershipTransport.Open(Loopback);
        using var tb = UdpMembershipTransport.Open(Loopback);
        var a = new MembershipProtocol("a", options, Key, TimeProvider.System);
        var b = new MembershipProtocol("b", options, Key, TimeProvider.System);
        var peers = new Dictionary<string, IPEndPoint> { ["a"] = ta.LocalEndPoint, ["b"] = tb.LocalEndPoint };
        var loopA = new MembershipLoop(a, ta, options, TimeProvider.System, NullLogger.Instance);
        var loopB = new MembershipLoop(b, tb, options, TimeProvider.System, NullLogger.Instance);
        loopA.SetPeers(peers);
        loopB.SetPeers(peers);
        var bothSeeBoth = WhenView(b, ["a", "b"]);
        var bAlone = WhenView(b, ["b"]);

        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runA = loopA.RunAsync(stopA.Token);
        var runB = loopB.RunAsync(stopB.Token);
        try
        {
            await bothSeeBoth.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            await stopA.CancelAsync();
            await runA;
            await bAlone.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Equal(ExclusionReason.Left, b.View.Excluded["a"]);
        }
        finally
        {
            await stopA.CancelAsync();
            await stopB.CancelAsync();
            await Task.WhenAll(runA, runB);
        }
    }

    /// <summary>Completes when the core's live set becomes exactly <paramref name="live"/> (an event, not a poll).</summary>
    private static Task WhenView(MembershipProtocol core, string[] live)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        core.ViewChanged += (_, view) =>
        {
            if (view.Live.SetEquals(live))
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
