using System.Net;
using System.Net.Sockets;
using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>
/// The bench's real-UDP harness at a small size: v2 endpoints on loopback sockets (127.77.0.x) settle, a killed one is
/// removed and its address answered again, and what reaches an endpoint passes the gate and the real HMAC. Real time,
/// so no timing is asserted: only that each thing happens within a generous deadline.
/// </summary>
public sealed class UdpRingClusterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Eight_endpoints_settle_and_a_killed_one_is_removed_and_its_address_answered_again()
    {
        using var cluster = new UdpRingCluster(8, seed: 31);
        cluster.Start();
        Assert.NotNull(await cluster.WaitUntilSettledAsync(Generous));

        var traffic = await cluster.MeasureTrafficAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(8, traffic.Endpoints);
        Assert.True(traffic.DatagramsPerSecond > 0 && traffic.ReceivedPerSecond > 0, $"{traffic}");
        Assert.True(traffic.Lag.Ticks > 0);

        var kill = await cluster.KillAsync(5, Generous);

        Assert.NotNull(kill.AllDropped);
        Assert.NotNull(kill.NewOwner);
        Assert.Equal(7, cluster.Alive.Count());
        Assert.All(cluster.Alive, i => Assert.DoesNotContain("node-005", cluster.Endpoint(i).State().ElectionSet));
    }

    [Fact]
    public async Task Datagrams_pass_the_gate_by_source_address_and_the_ring_by_HMAC()
    {
        using var cluster = new UdpRingCluster(2, seed: 32);
        cluster.Start();
        var target = cluster.Endpoint(0);
        var member = cluster.Endpoint(1).EndPoint.Address;
        var before = target.Refused;

        // From an address that is no member's: the gate refuses it. From a member's address with a forged MAC: the ring does.
        using (var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            stranger.SendTo(new byte[100], target.EndPoint);
        }

        using (var forger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            forger.Bind(new IPEndPoint(member, 0));
            var forged = new byte[84]; // a heartbeat's length: "ILB2", version 2, then zeros, the MAC included
            "ILB2"u8.CopyTo(forged);
            forged[4] = 2;
            forger.SendTo(forged, target.EndPoint);
        }

        var deadline = DateTime.UtcNow + Generous;
        while ((target.Refused.Gate == before.Gate || target.Refused.Ring == before.Ring) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(before.Gate + 1, target.Refused.Gate);
        Assert.Equal(before.Ring + 1, target.Refused.Ring);
    }
}
