using System.Net;
using System.Net.Sockets;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>The membership socket listens on the advertised address only, and the gate runs before the MAC (real sockets on 127.0.0.x).</summary>
public sealed class UdpMembershipBindTests
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 5))], insecure: false);

    [Theory]
    [InlineData("127.0.0.3")]
    [InlineData("::1")]
    public void The_socket_binds_the_given_address(string address)
    {
        using var transport = UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse(address), 0));

        Assert.Equal(IPAddress.Parse(address), transport.LocalEndPoint.Address);
        Assert.NotEqual(0, transport.LocalEndPoint.Port);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void The_wildcard_is_refused(string address)
    {
        var e = Assert.Throws<InvalidOperationException>(() => UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse(address), 0)));
        Assert.Contains("--membership-address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_datagram_to_another_address_of_the_host_never_reaches_the_socket()
    {
        using var transport = UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
        var port = transport.LocalEndPoint.Port;

        // Same port, another local address: with a wildcard bind this one would arrive first.
        await sender.SendToAsync("other"u8.ToArray(), new IPEndPoint(IPAddress.Parse("127.0.0.4"), port), TestContext.Current.CancellationToken);
        await sender.SendToAsync("marker"u8.ToArray(), transport.LocalEndPoint, TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var buffer = new byte[64];
        var (length, _) = await transport.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("marker", System.Text.Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Fact]
    public async Task A_stranger_is_refused_before_the_mac_and_a_peer_address_reaches_it()
    {
        var options = new MembershipOptions();
        using var ta = UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        using var tb = UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        var a = new MembershipProtocol("a", options, Key, TimeProvider.System);
        var loop = new MembershipLoop(a, ta, options, TimeProvider.System, NullLogger.Instance);
        loop.SetPeers(new Dictionary<string, IPEndPoint> { ["a"] = ta.LocalEndPoint, ["b"] = tb.LocalEndPoint });
        var forged = Forged(200);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = loop.RunAsync(stop.Token);
        try
        {
            using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            stranger.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
            using var spoofer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            spoofer.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0)); // b's address, another port
            for (var i = 0; i < 10; i++)
            {
                await stranger.SendToAsync(forged, ta.LocalEndPoint, TestContext.Current.CancellationToken);
            }

            await spoofer.SendToAsync(forged, ta.LocalEndPoint, TestContext.Current.CancellationToken);
            await spoofer.SendToAsync(Forged(MembershipLoop.LongestHeartbeat(2) + 1), ta.LocalEndPoint, TestContext.Current.CancellationToken);

            await Eventually.WaitForAsync(
                () => loop.Counters[ReceiveOutcome.UnknownSource] == 10 && loop.Counters[ReceiveOutcome.BadMac] == 1 && loop.Counters[ReceiveOutcome.Oversized] == 1,
                "10 UnknownSource, 1 BadMac and 1 Oversized counted");
            Assert.Equal(0, loop.Counters.Accepted);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    /// <summary>A datagram with v1's valid header and a MAC that cannot match: what a flooder sends.</summary>
    internal static byte[] Forged(int length)
    {
        var datagram = new byte[length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(datagram, MembershipCodec.Magic);
        datagram[4] = MembershipCodec.Version;
        datagram[5] = 1; // heartbeat
        datagram[MembershipCodec.HeaderLength] = 1;
        datagram[MembershipCodec.HeaderLength + 1] = (byte)'x';
        Random.Shared.NextBytes(datagram.AsSpan(MembershipCodec.HeaderLength + 2));
        return datagram;
    }
}
