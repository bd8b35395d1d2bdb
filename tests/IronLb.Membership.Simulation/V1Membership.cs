using System.Collections.Immutable;
using IronLb.Speaker.Membership;

namespace IronLb.Membership.Simulation;

/// <summary>
/// Today's protocol (docs/membership.md) behind <see cref="IMembershipUnderTest"/>: every node heartbeats
/// every other node with its whole heard set, HMAC-signed. The baseline every new protocol is compared to.
/// </summary>
internal sealed class V1Membership : IMembershipUnderTest
{
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(1, 32).Select(i => (byte)i)], insecure: false);

    private readonly MembershipProtocol _protocol;
    private readonly ImmutableArray<string> _members;
    private readonly ulong _incarnation;

    private V1Membership(NodeSetup setup, MembershipOptions options)
    {
        _protocol = new MembershipProtocol(setup.Name, options, Key, setup.Time);
        _members = setup.Members;
        _incarnation = setup.Seed;
    }

    public string Name => _protocol.Self;

    public IReadOnlySet<string> Live => _protocol.View.Live;

    // v1 has no fence: a node answers while it keeps itself in its own view (rule 4 drops a mute node).
    public bool Answering => _protocol.View.Live.Contains(_protocol.Self);

    /// <summary>v1 with the given timing (the shipped defaults when null); it wants Tick at least every Interval / 4.</summary>
    public static ProtocolFactory Factory(MembershipOptions? options = null)
    {
        var chosen = options ?? new MembershipOptions();
        return new ProtocolFactory(
            "v1",
            $"heartbeat to every peer every {chosen.Interval.TotalMilliseconds:0} ms carrying the whole heard set; majority of reporters decides",
            chosen.Interval / 4,
            setup => new V1Membership(setup, chosen));
    }

    public void Start()
    {
        _protocol.Start(_incarnation);
        _protocol.SetPeers(_members);
    }

    public IReadOnlyList<Datagram> Tick()
    {
        var outgoing = _protocol.Tick();
        if (outgoing.Count == 0)
        {
            return [];
        }

        var datagrams = new Datagram[outgoing.Count];
        for (var i = 0; i < datagrams.Length; i++)
        {
            datagrams[i] = new Datagram(outgoing[i].Destination, outgoing[i].Payload);
        }

        return datagrams;
    }

    public void Receive(string from, ReadOnlySpan<byte> datagram) => _protocol.Receive(datagram);
}
