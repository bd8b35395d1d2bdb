using System.Net;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Bgp.Tests.Peering;

/// <summary>
/// The driver's timers on the real clock: the test peer never sends a KEEPALIVE after its first, so with a 3 s
/// hold time the driver's hold timer must fire (4/0), where MetalLB's native speaker would wait for TCP to give up
/// (issue 777). Seconds of real time, hence Slow.
/// </summary>
[Trait("Category", Category.Slow)]
public sealed class DriverTimerTests
{
    [Fact]
    public async Task A_peer_that_goes_quiet_gets_Hold_Timer_Expired_and_the_driver_reconnects()
    {
        var config = new BgpSessionConfig(DriverTests.LocalAsn, TestBgpListener.Asn, 0x0A00_0001)
        {
            HoldTime = TimeSpan.FromSeconds(3),
            IdleHoldTime = TimeSpan.FromMilliseconds(100),
        };
        await using var listener = new TestBgpListener(IPAddress.Loopback);
        await using var driver = new BgpPeerDriver(config, new BgpPeerEndpoint(listener.EndPoint), TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(stop.Token);

        await Eventually.WaitForAsync(() => listener.Sessions >= 2, "a second session after the hold timer closed the first");

        var expired = listener.Notifications.First();
        Assert.Equal((4, 0), (expired.ErrorCode, expired.ErrorSubcode));
        Assert.Equal(BgpCloseReason.HoldTimerExpired, driver.Snapshot.LastCloseReason);
        Assert.True(driver.Snapshot.Counters.KeepalivesSent >= 2, "a keepalive every second (hold / 3) while up");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
