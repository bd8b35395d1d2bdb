using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Speaker.Tests.Membership.Ring;

public sealed class ObserverRingTests
{
    private static MemberTable Table(int count) => MemberTable.Create(Enumerable.Range(0, count).Select(i => $"node-{i:D3}"), out _);

    [Fact]
    public void Ids_are_sha256_of_ring_hash_name_and_the_ring_is_ordered_by_them()
    {
        var table = Table(20);

        for (var i = 0; i < table.Count; i++)
        {
            var expected = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("ring#" + table.Names[i])));
            Assert.Equal(expected, table.Ids[i]);
        }

        Assert.Equal(table.RingOrder.Select(i => table.Ids[i]).Order(), table.RingOrder.Select(i => table.Ids[i]));
        Assert.Equal(table.Names.Order(StringComparer.Ordinal), table.Names);
    }

    [Fact]
    public void Every_node_derives_the_same_table_from_the_same_names_in_any_order()
    {
        var names = Enumerable.Range(0, 30).Select(i => $"node-{i:D3}").ToList();
        var a = MemberTable.Create(names, out _);
        var b = MemberTable.Create(Enumerable.Reverse(names).Append("node-003").Append(""), out var dropped);

        Assert.Equal(a.Names, b.Names);
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(0, dropped);
        Assert.NotEqual(a.Digest, MemberTable.Create(names.Skip(1), out _).Digest);
    }

    public static TheoryData<int, int, int> Sizes => new()
    {
        // members, excluded (the first n in ring order after the subject), expected observers
        { 2, 0, 1 },
        { 3, 0, 2 },
        { 5, 0, 4 },
        { 6, 0, 4 },
        { 50, 0, 4 },
        { 50, 2, 4 },
        { 5, 1, 3 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_member_has_K_observers_or_all_others_in_a_small_ring(int members, int excluded, int expected)
    {
        var table = Table(members);
        var subject = table.RingOrder[0];
        var outOfRing = table.RingOrder.Skip(1).Take(excluded).ToHashSet();

        var observers = ObserverRing.ObserversOf(table, subject, m => !outOfRing.Contains(m), 4);

        Assert.Equal(expected, observers.Count);
        Assert.DoesNotContain(subject, observers);
        Assert.Empty(observers.Intersect(outOfRing));
        Assert.Equal(observers.Count, observers.Distinct().Count());
    }

    [Fact]
    public void The_observers_are_the_two_ring_neighbours_on_each_side()
    {
        var table = Table(50);
        var position = 10;
        var subject = table.RingOrder[position];

        var observers = ObserverRing.ObserversOf(table, subject, _ => true, 4);

        int[] expected = [table.RingOrder[11], table.RingOrder[12], table.RingOrder[9], table.RingOrder[8]];
        Assert.Equal(expected, observers);
    }

    [Theory]
    [InlineData(50, 0)]
    [InlineData(50, 7)]
    [InlineData(9, 3)]
    public void Observing_is_symmetric_so_one_heartbeat_stream_serves_both_directions(int members, int excluded)
    {
        var table = Table(members);
        var outOfRing = table.RingOrder.Where((_, p) => p % 5 == 1).Take(excluded).ToHashSet();
        bool InRing(int m) => !outOfRing.Contains(m);

        foreach (var x in Enumerable.Range(0, members).Where(InRing))
        {
            foreach (var y in ObserverRing.ObserversOf(table, x, InRing, 4))
            {
                Assert.Contains(x, ObserverRing.ObserversOf(table, y, InRing, 4));
            }
        }
    }

    [Theory]
    [InlineData(50, 4, 3, 2)]
    [InlineData(5, 4, 3, 2)]
    [InlineData(4, 3, 3, 1)]
    [InlineData(4, 2, 3, 1)]
    [InlineData(3, 2, 2, 1)]
    [InlineData(2, 1, 1, 1)]
    public void Quorum_and_fence_need_leave_no_room_for_a_verdict_on_an_unfenced_node(int members, int observers, int quorum, int fence)
    {
        Assert.Equal(quorum, ObserverRing.Quorum(members, 3));
        Assert.Equal(fence, ObserverRing.FenceNeed(observers, quorum));

        // A verdict takes `quorum` observers that do not hear the node; an unfenced node has `fence` that do: together more than all.
        Assert.True(quorum + fence > observers);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(50, 6)]
    [InlineData(500, 9)]
    public void Round_pushes_cycle_through_the_power_of_two_fingers_ahead_on_the_ring(int members, int fingers)
    {
        var table = Table(members);
        var self = table.RingOrder[members / 2];
        var position = members / 2;

        var targets = Enumerable.Range(0, 2 * fingers).Select(push => ObserverRing.FingerTarget(table, self, push, _ => true)).ToList();

        var expected = Enumerable.Range(0, 2 * fingers).Select(push => table.RingOrder[(position + (1 << (push % fingers))) % members]);
        Assert.Equal(expected, targets);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(50)]
    [InlineData(500)]
    public void With_pushes_in_step_every_member_receives_exactly_one_push_per_period(int members)
    {
        var table = Table(members);

        foreach (var push in Enumerable.Range(0, 12))
        {
            var received = Enumerable.Range(0, members).Select(m => ObserverRing.FingerTarget(table, m, push, _ => true)).ToList();
            Assert.Equal(members, received.Distinct().Count());
        }
    }

    [Fact]
    public void A_finger_on_a_member_out_of_the_ring_moves_on_to_the_next_one_in_it()
    {
        var table = Table(50);
        var self = table.RingOrder[10];
        var outOfRing = new HashSet<int> { table.RingOrder[11], table.RingOrder[14], table.RingOrder[15] };

        Assert.Equal(table.RingOrder[12], ObserverRing.FingerTarget(table, self, 0, m => !outOfRing.Contains(m)));
        Assert.Equal(table.RingOrder[16], ObserverRing.FingerTarget(table, self, 2, m => !outOfRing.Contains(m)));
        Assert.Equal(-1, ObserverRing.FingerTarget(Table(1), 0, 0, _ => true));
        Assert.Equal(-1, ObserverRing.FingerTarget(table, self, 0, m => m == self));
    }
}
