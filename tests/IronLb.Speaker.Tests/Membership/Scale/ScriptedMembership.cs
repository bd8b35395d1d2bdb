using System.Collections.Immutable;
using IronLb.Membership.Simulation;

namespace IronLb.Speaker.Tests.Membership.Scale;

/// <summary>
/// A protocol that does exactly what a test tells it, for checking the simulator itself: on each tick it
/// sends the datagrams queued in <see cref="Outbox"/> and, when <see cref="Echo"/> is set, a 5-byte reply to
/// every datagram received since the last tick; it records what it received and when (its own clock).
/// </summary>
internal sealed class ScriptedMembership(NodeSetup setup) : IMembershipUnderTest
{
    private readonly List<string> _repliesDue = [];

    public string Name => setup.Name;

    public NodeSetup Setup => setup;

    public Queue<Datagram> Outbox { get; } = new();

    public bool Echo { get; set; }

    public int Ticks { get; private set; }

    public List<(string From, int Length, long Timestamp)> Received { get; } = [];

    public IReadOnlySet<string> Live { get; set; } = ImmutableHashSet<string>.Empty;

    public bool Answering { get; set; } = true;

    /// <summary>A factory whose nodes land in <paramref name="created"/> (restarts append), ticking every <paramref name="period"/>.</summary>
    public static ProtocolFactory Factory(List<ScriptedMembership> created, TimeSpan period) =>
        new("scripted", "test double", period, setup =>
        {
            var node = new ScriptedMembership(setup);
            created.Add(node);
            return node;
        });

    public void Start()
    {
    }

    public IReadOnlyList<Datagram> Tick()
    {
        Ticks++;
        var sent = new List<Datagram>(Outbox);
        Outbox.Clear();
        sent.AddRange(_repliesDue.Select(to => new Datagram(to, new byte[5])));
        _repliesDue.Clear();
        return sent;
    }

    public void Receive(string from, ReadOnlySpan<byte> datagram)
    {
        Received.Add((from, datagram.Length, setup.Time.GetTimestamp()));
        if (Echo)
        {
            _repliesDue.Add(from);
        }
    }
}

/// <summary>
/// A v2-shaped load: every node heartbeats its four ring neighbours every 100 ms with a 112-byte datagram
/// (40 datagrams/s, what the v2 design sends), and counts every member live. It measures the simulator, not a protocol.
/// </summary>
internal sealed class RingLoadMembership(NodeSetup setup) : IMembershipUnderTest
{
    public const int PayloadBytes = 112;

    private readonly Datagram[] _beat = Neighbours(setup).Select(n => new Datagram(n, new byte[PayloadBytes])).ToArray();

    public static ProtocolFactory Factory { get; } = new("ring-load", "test load", TimeSpan.FromMilliseconds(100), s => new RingLoadMembership(s));

    public string Name => setup.Name;

    public IReadOnlySet<string> Live { get; } = setup.Members.ToImmutableHashSet(StringComparer.Ordinal);

    public bool Answering => true;

    public int Received { get; private set; }

    public void Start()
    {
    }

    public IReadOnlyList<Datagram> Tick() => _beat;

    public void Receive(string from, ReadOnlySpan<byte> datagram) => Received++;

    private static IEnumerable<string> Neighbours(NodeSetup setup)
    {
        var n = setup.Members.Length;
        var self = setup.Members.IndexOf(setup.Name);
        return new[] { -2, -1, 1, 2 }.Select(d => setup.Members[(((self + d) % n) + n) % n]);
    }
}
