using System.Collections.Immutable;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.Ring;

namespace IronLb.Membership.Simulation;

/// <summary>
/// Membership v2 (docs/design/membership-v2.md, <see cref="RingMembership"/>) behind <see cref="IMembershipUnderTest"/>:
/// each node heartbeats its K ring neighbours, a quorum of their observations is a verdict spread by gossip,
/// and a node answers only while its observer fence and round lease hold. HMAC-signed with the same key size as v1.
/// </summary>
internal sealed class V2Membership : IMembershipUnderTest
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(1, 32).Select(i => (byte)i)], insecure: false);

    private readonly RingMembership _ring;
    private readonly ImmutableArray<string> _members;
    private readonly ulong _incarnation;
    private ImmutableArray<string> _liveOf = [];
    private HashSet<string> _live = new(StringComparer.Ordinal);

    private V2Membership(NodeSetup setup, RingOptions options)
    {
        _ring = new RingMembership(setup.Name, options, Key, setup.Time, new Random(unchecked((int)setup.Seed)));
        _members = setup.Members;

        // v2 needs an incarnation above every earlier one of this node (the seed is random, so not that). The node's
        // wall clock in milliseconds is: restarts in the simulation are seconds apart and no scenario steps it back.
        _incarnation = (ulong)setup.Time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public string Name => _ring.Self;

    /// <summary>The election set as a set; rebuilt only when the ring hands out a new array (its book changed).</summary>
    public IReadOnlySet<string> Live
    {
        get
        {
            var current = _ring.ElectionSet;
            if (current != _liveOf)
            {
                _live = new HashSet<string>(current, StringComparer.Ordinal);
                _liveOf = current;
            }

            return _live;
        }
    }

    public bool Answering => _ring.Answering;

    /// <summary>v2 with the given timing (the defaults when null); it wants Tick every 10 ms, as the speaker's loop does.</summary>
    public static ProtocolFactory Factory(RingOptions? options = null)
    {
        var chosen = options ?? new RingOptions();
        return new ProtocolFactory(
            "v2",
            $"ring: heartbeat to {chosen.Observers} ring neighbours every {chosen.Period.TotalMilliseconds:0} ms, verdict by {chosen.VerdictQuorum} of their observations, gossip fanout {chosen.Fanout}, observer fence and {chosen.LeaseRounds}-round lease",
            TimeSpan.FromMilliseconds(10),
            setup => new V2Membership(setup, chosen));
    }

    public void Start()
    {
        _ring.SetMembers(_members);
        _ring.Start(_incarnation);
    }

    public IReadOnlyList<Datagram> Tick()
    {
        var outgoing = _ring.Tick();
        if (outgoing.Count == 0)
        {
            return [];
        }

        var datagrams = new Datagram[outgoing.Count];
        for (var i = 0; i < datagrams.Length; i++)
        {
            datagrams[i] = new Datagram(outgoing[i].To, outgoing[i].Payload);
        }

        return datagrams;
    }

    public void Receive(string from, ReadOnlySpan<byte> datagram) => _ring.Receive(from, datagram);
}
