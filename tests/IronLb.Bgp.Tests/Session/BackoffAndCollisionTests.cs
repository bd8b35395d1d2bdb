using IronLb.Bgp.Session;
using static IronLb.Bgp.Tests.Session.SessionFixture;

namespace IronLb.Bgp.Tests.Session;

/// <summary>The idle hold back-off (a flapping peer is not hammered) and connection collision (RFC 4271 §6.8).</summary>
public sealed class BackoffAndCollisionTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(7, 64)]
    [InlineData(8, 120)]
    [InlineData(1000, 120)]
    public void Back_off_doubles_up_to_the_cap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BgpSession.Backoff(Config, failures));

    [Fact]
    public void Repeated_dial_failures_wait_longer_each_time()
    {
        var state = Run(BgpSessionState.Initial(Config), new StartEvent(T0));
        var waits = new List<double>();
        for (var i = 0; i < 9; i++)
        {
            var now = state.IdleHoldDeadline ?? T0;
            state = Run(Run(state, new TickEvent(now)), new TcpFailedEvent(now));
            waits.Add((state.IdleHoldDeadline!.Value - now).TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 120, 120], waits);
    }

    [Fact]
    public void A_session_that_flaps_keeps_backing_off_and_a_stable_one_starts_again()
    {
        var flapping = At("Established") with { ConsecutiveFailures = 5 };

        var flap = Run(flapping, new TcpClosedEvent(At(10)));
        var stable = Run(Run(flapping, new MessageReceivedEvent(At(60), IronLb.Bgp.Wire.KeepaliveMessage.Instance)), new TcpClosedEvent(At(120)));

        Assert.Equal(6, flap.ConsecutiveFailures);
        Assert.Equal(At(10 + 32), flap.IdleHoldDeadline);
        Assert.Equal(1, stable.ConsecutiveFailures);
    }

    [Theory]
    [InlineData(2u, 1u, 64512u, 64513u, CollisionSurvivor.LocallyInitiated)]
    [InlineData(1u, 2u, 64512u, 64513u, CollisionSurvivor.RemotelyInitiated)]
    [InlineData(5u, 5u, 64513u, 64512u, CollisionSurvivor.LocallyInitiated)]
    [InlineData(5u, 5u, 64512u, 64513u, CollisionSurvivor.RemotelyInitiated)]
    public void Collision_keeps_the_higher_identifiers_connection(uint localId, uint remoteId, uint localAsn, uint remoteAsn, CollisionSurvivor expected) =>
        Assert.Equal(expected, BgpCollision.Survivor(localId, remoteId, localAsn, remoteAsn));

    [Fact]
    public void Both_routers_close_the_same_connection()
    {
        // What router A calls its own connection is the one B calls remote: the answers must mirror.
        foreach (var (a, b) in new[] { (1u, 2u), (2u, 1u), (7u, 7u) })
        {
            var atA = BgpCollision.Survivor(a, b, 64512, 64513);
            var atB = BgpCollision.Survivor(b, a, 64513, 64512);
            Assert.NotEqual(atA, atB);
        }
    }
}
