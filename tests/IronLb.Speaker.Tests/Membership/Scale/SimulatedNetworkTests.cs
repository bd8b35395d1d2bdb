using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>The scale simulator's network on its own: loss rates, one-way blocks, partitions, delays, counters.</summary>
public sealed class SimulatedNetworkTests
{
    private const int Sends = 40_000;

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    [InlineData(0.3)]
    public void Loss_on_every_link_is_honoured_within_five_standard_deviations(double loss)
    {
        var network = new SimulatedNetwork(2, new Random(7)) { Loss = loss };

        for (var i = 0; i < Sends; i++)
        {
            network.Send(i, 0, 1, new byte[1]);
        }

        var tolerance = 5 * Math.Sqrt(Sends * loss * (1 - loss));
        Assert.InRange(network.Traffic(1).Lost, (Sends * loss) - tolerance, (Sends * loss) + tolerance);
        Assert.Equal(Sends - network.Traffic(1).Lost, network.InFlight);
        Assert.Equal(Sends, network.Traffic(0).SentDatagrams);
    }

    [Fact]
    public void A_link_profile_adds_loss_in_one_direction_only()
    {
        var network = new SimulatedNetwork(2, new Random(8));
        network.SetLink(0, 1, new LinkProfile(Loss: 0.5));

        for (var i = 0; i < Sends; i++)
        {
            network.Send(i, 0, 1, new byte[1]);
            network.Send(i, 1, 0, new byte[1]);
        }

        var tolerance = 5 * Math.Sqrt(Sends * 0.25);
        Assert.InRange(network.Traffic(1).Lost, (Sends / 2) - tolerance, (Sends / 2) + tolerance);
        Assert.Equal(0, network.Traffic(0).Lost);
    }

    [Fact]
    public void A_block_is_one_way()
    {
        var network = new SimulatedNetwork(2, new Random(1));
        network.Block(0, 1);

        Assert.False(network.CanReach(0, 1));
        Assert.True(network.CanReach(1, 0));
        network.Unblock(0, 1);
        Assert.True(network.CanReach(0, 1));
    }

    [Fact]
    public void A_partition_cuts_both_directions_between_groups_and_none_within()
    {
        var network = new SimulatedNetwork(5, new Random(1));
        network.Partition([0, 1], [2, 3]);

        Assert.True(network.CanReach(0, 1) && network.CanReach(1, 0) && network.CanReach(2, 3));
        Assert.False(network.CanReach(0, 2) || network.CanReach(2, 0) || network.CanReach(1, 3) || network.CanReach(3, 1));
        // Node 4 is in no group: it stays with group 0.
        Assert.True(network.CanReach(4, 0) && network.CanReach(0, 4));
        Assert.False(network.CanReach(4, 2));
        network.Heal();
        Assert.True(network.CanReach(0, 2) && network.CanReach(2, 0));
    }

    [Fact]
    public void Deliveries_come_in_due_order_within_the_delay_bounds()
    {
        var network = new SimulatedNetwork(2, new Random(3)) { MinDelay = TimeSpan.FromMilliseconds(1), Jitter = TimeSpan.FromMilliseconds(2) };
        network.SetLink(1, 0, new LinkProfile(MinDelay: TimeSpan.FromMilliseconds(50), Jitter: TimeSpan.Zero));
        for (var i = 0; i < 1000; i++)
        {
            network.Send(i, 0, 1, new byte[1]);
        }

        network.Send(0, 1, 0, new byte[1]);

        var last = long.MinValue;
        while (network.TryPeekDue(out var at))
        {
            var delivery = network.Take();
            Assert.True(at >= last, "deliveries out of due order");
            last = at;
            if (delivery.From == 1)
            {
                Assert.Equal(TimeSpan.FromMilliseconds(50).Ticks, at);
            }
        }

        Assert.Equal(1000, network.Traffic(1).ReceivedDatagrams);
        Assert.Equal(TimeSpan.FromMilliseconds(50).Ticks, last);
    }
}
