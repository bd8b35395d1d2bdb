using System.Collections.Immutable;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Time.Testing;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// Many MembershipProtocol instances on one FakeTimeProvider and one SimNetwork. Each step advances fake
/// time, delivers what is due, then ticks every running speaker and puts its datagrams on the network.
/// </summary>
internal sealed class SimCluster
{
    private static readonly AddressPool Pool = new()
    {
        Name = "pool",
        Cidrs = [Cidr.TryParse("10.0.0.0/16", out var cidr) ? cidr : default],
        L2Advertisements = [new L2Advertisement("l2", null, [], [])],
    };

    private readonly Dictionary<string, MembershipProtocol?> _cores = new(StringComparer.Ordinal);
    private readonly TimeSpan _origin;
    private ImmutableArray<string> _addresses = [];

    public SimCluster(int size, int seed, MembershipOptions? options = null, TimeSpan? step = null)
    {
        Random = new Random(seed);
        Network = new SimNetwork(Random);
        Options = options ?? new MembershipOptions();
        Step = step ?? TimeSpan.FromMilliseconds(5);
        Names = [.. Enumerable.Range(0, size).Select(i => $"node-{i:D2}")];
        _origin = Time.GetElapsedTime(0);
        foreach (var name in Names)
        {
            _cores[name] = null;
        }

        Addresses = 64;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public Random Random { get; }

    public SimNetwork Network { get; }

    public MembershipOptions Options { get; }

    public TimeSpan Step { get; }

    public ImmutableArray<string> Names { get; }

    public MembershipKey Key { get; } = MembershipKey.Create([.. Enumerable.Range(1, 32).Select(i => (byte)i)], insecure: false);

    /// <summary>Count of view changes per node since the last reset: the flap detector.</summary>
    public Dictionary<string, int> Changes { get; } = new(StringComparer.Ordinal);

    public TimeSpan Now => Time.GetElapsedTime(0) - _origin;

    public int Addresses
    {
        set => _addresses = [.. Enumerable.Range(0, value).Select(i => $"10.0.{i / 200}.{(i % 200) + 1}")];
    }

    public IEnumerable<string> Up => Names.Where(n => _cores[n] is not null);

    public MembershipProtocol Core(string name) => _cores[name] ?? throw new InvalidOperationException($"{name} is down");

    public bool IsUp(string name) => _cores[name] is not null;

    /// <summary>Starts every node at a random phase within one interval, as real speakers would.</summary>
    public void StartAll()
    {
        var pending = Names.ToDictionary(n => n, _ => TimeSpan.FromMilliseconds(Random.Next((int)Options.Interval.TotalMilliseconds)), StringComparer.Ordinal);
        var until = Now + Options.Interval;
        while (Now < until)
        {
            foreach (var (name, at) in pending.Where(p => p.Value <= Now).ToList())
            {
                StartNode(name);
                pending.Remove(name);
            }

            Run(Step);
        }

        foreach (var name in pending.Keys)
        {
            StartNode(name);
        }
    }

    public void StartNode(string name, IEnumerable<string>? ready = null)
    {
        var core = new MembershipProtocol(name, Options, Key, Time);
        core.ViewChanged += (_, _) => Changes[name] = Changes.GetValueOrDefault(name) + 1;
        core.Start((ulong)Random.NextInt64());
        core.SetPeers(Names);
        if (ready is not null)
        {
            core.SetReadyNodes(ready);
        }

        _cores[name] = core;
    }

    public void Crash(string name) => _cores[name] = null;

    public void Leave(string name)
    {
        foreach (var message in Core(name).Leave())
        {
            Network.Send(Now, name, message.Destination, message.Payload.ToArray());
        }

        _cores[name] = null;
    }

    public void SetReady(IEnumerable<string> ready)
    {
        var set = ready.ToList();
        foreach (var name in Up)
        {
            Core(name).SetReadyNodes(set);
        }
    }

    public void Run(TimeSpan duration, Func<bool>? until = null)
    {
        var end = Now + duration;
        while (Now < end)
        {
            Time.Advance(Step);
            foreach (var (from, to, payload) in Network.DeliverDue(Now).ToList())
            {
                _cores[to]?.Receive(payload);
            }

            foreach (var name in Names)
            {
                if (_cores[name] is { } core)
                {
                    foreach (var message in core.Tick())
                    {
                        Network.Send(Now, name, message.Destination, message.Payload.ToArray());
                    }
                }
            }

            if (until?.Invoke() == true)
            {
                return;
            }
        }
    }

    public ImmutableSortedSet<string> View(string name) => Core(name).View.Live;

    /// <summary>Who announces each address among the given speakers, each deciding with Core's election over its own view.</summary>
    public Dictionary<string, List<string>> Announcers(IEnumerable<string> speakers)
    {
        var result = _addresses.ToDictionary(a => a, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var name in speakers)
        {
            var live = View(name);
            foreach (var address in _addresses)
            {
                if (L2Election.ShouldAnnounce(name, Input(address, live)) == AnnounceDecision.Announce)
                {
                    result[address].Add(name);
                }
            }
        }

        return result;
    }

    /// <summary>The owner of each address if every speaker had this live set.</summary>
    public Dictionary<string, string?> Owners(IReadOnlyCollection<string> live) =>
        _addresses.ToDictionary(a => a, a => L2Election.Elect(Input(a, live)).Winner, StringComparer.Ordinal);

    private static ElectionInput Input(string address, IReadOnlyCollection<string> speakers) => new()
    {
        Service = new ServiceView { Key = new ServiceKey("default", "svc-" + address), IngressIps = [address] },
        FirstIp = address,
        Pool = Pool,
        Endpoints = new ServiceEndpoints([new EndpointView("node-00", true)]),
        Speakers = speakers,
    };
}
