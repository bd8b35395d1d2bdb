using System.Diagnostics.Metrics;
using System.Net;
using IronLb.Networking.Conflicts;
using IronLb.Networking.Ebpf;
using IronLb.Networking.Gratuitous;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Networking;

/// <summary>
/// The Layer 2 façade: give it the desired <see cref="AnnounceTable"/> and it answers ARP and NDP for those
/// addresses on those interfaces, announces takeovers, and keeps its responders in step with the host's
/// interfaces. The constructor does no I/O; <see cref="StartAsync"/> starts the work.
/// </summary>
public sealed class Layer2Announcer : IAsyncDisposable
{
    private readonly Layer2Options _options;
    private readonly IInterfaceSource _interfaces;
    private readonly ILinkLayerPlatform _platform;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Layer2Metrics _metrics;
    private readonly InterfaceFilter _filter;
    private readonly AnnounceTableHolder _tables;
    private readonly DropCounters _drops = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, InterfaceState> _states = new(StringComparer.Ordinal);
    private readonly KernelReplyPath _kernel;
    private readonly DefenceFloor _defences;
    private volatile ResponderLoop[] _loops = [];
    private bool _disposed;
    private GratuitousScheduler? _scheduler;
    private ITimer? _scanTimer;
    private IDisposable? _watcher;
    private bool _started;
    private ResponderPlacement? _placement;
    private ITimer? _countTimer;

    public Layer2Announcer(Layer2Options? options = null, ILogger<Layer2Announcer>? logger = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(options ?? new Layer2Options(), new SysfsInterfaceSource(), new LinuxLinkLayerPlatform(), timeProvider ?? TimeProvider.System, logger, meterFactory)
    {
    }

    internal Layer2Announcer(Layer2Options options, IInterfaceSource interfaces, ILinkLayerPlatform platform, TimeProvider timeProvider, ILogger? logger, IMeterFactory? meterFactory)
    {
        _options = options;
        _interfaces = interfaces;
        _platform = platform;
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new Layer2Metrics(meterFactory, ResponderMeasurements, DeadlineMeasurements);
        _filter = new InterfaceFilter(options.ExcludedInterfaces);
        Deadline = new AnswerDeadline(timeProvider);
        _tables = new AnnounceTableHolder(Deadline);
        _kernel = new KernelReplyPath(options, platform, _metrics, _drops, Deadline, _logger);
        _defences = new DefenceFloor(timeProvider);
    }

    /// <summary>
    /// When answering stops unless refreshed, for the kernel's programs and the userspace responders alike.
    /// Unbounded until first refreshed; the speaker moves it forward from its live loop and revokes it on shutdown.
    /// </summary>
    public AnswerDeadline Deadline { get; }

    /// <summary>
    /// Called on a responder thread for every foreign frame that claims an address in the current table (on any
    /// interface; the claim names the one it came in on) or in the watched set (see <see cref="Watch"/>): ARP
    /// replies, announcements and requests from the address, ARP probes for it, neighbour advertisements for it
    /// and DAD probes for it. Frames from the interface's own MAC never claim. Nothing is allocated for frames that
    /// claim nothing; the callback should be quick, since the lane answers no request while it runs. With the
    /// kernel path on, requests the kernel answers (for table addresses) do not reach this check.
    /// </summary>
    public Action<AddressClaim>? ClaimObserved
    {
        get => _tables.Claims.Observer;
        set => _tables.Claims.Observer = value;
    }

    /// <summary>
    /// Addresses the speaker wants claims reported for although they are not in the table (being probed, or held
    /// back because of a conflict). Replaces the previous set at once; empty by default.
    /// </summary>
    public void Watch(IReadOnlySet<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        _tables.Claims.Watched = WatchedAddresses.Create(addresses);
    }

    /// <summary>
    /// Sends one gratuitous round now (ARP announcement request and reply, or an unsolicited NA with Override)
    /// for an address in the current table on <paramref name="interfaceName"/>: the defence RFC 5227 §2.4(c)
    /// allows. Returns the frames sent: 0 when the address is not announced there, no responder runs there, the
    /// answer deadline has passed, or the address was defended less than a second ago (a floor under the
    /// caller's own rate limit, so a bug upstream cannot flood the LAN).
    /// </summary>
    public int Defend(IPAddress address, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(interfaceName);
        var entry = _tables.Current.Find(address);
        if (entry is null || !entry.Interfaces.Includes(interfaceName) || !Deadline.IsOpen)
        {
            return 0;
        }

        var loops = _loops.Where(l => l.Interface.Name == interfaceName && l.Kind == (entry.IsIpv6 ? ResponderKind.Ndp : ResponderKind.Arp)).ToList();
        if (loops.Count == 0 || !_defences.TryTake(entry.Address))
        {
            return 0;
        }

        var sent = loops.Sum(loop => loop.SendGratuitous(entry));
        if (sent > 0)
        {
            _metrics.GratuitousSent.Add(sent, Layer2Metrics.Ip(entry.Label));
            Log.Defended(_logger, entry.Label, interfaceName, sent);
        }

        return sent;
    }

    /// <summary>The table currently answered from.</summary>
    public AnnounceTable Table => _tables.Current;

    /// <summary>
    /// The MACs of the interfaces with a responder (lower-case, colon form), sorted: every frame this node answers or
    /// announces with comes from one of them, so the other speakers trust them (issue 16).
    /// </summary>
    public IReadOnlyList<string> InterfaceMacs =>
        [.. _loops.Select(l => l.Interface.Mac.ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Running responders as "name/arp" or "name/ndp", sorted.</summary>
    public IReadOnlyList<string> Responders =>
        [.. _loops.Select(l => l.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Where the kernel answers (see <see cref="Layer2Options.KernelReplies"/>), as "name/arp" or "name/ndp",
    /// sorted; empty when the userspace responders answer everything.
    /// </summary>
    public IReadOnlyList<string> KernelResponders
    {
        get
        {
            lock (_gate)
            {
                return [.. _kernel.Attachments.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// How many received frames ended in each <see cref="DropReason"/> (<see cref="DropReason.None"/> = answered,
    /// by the userspace responders or by the kernel).
    /// </summary>
    public IReadOnlyDictionary<DropReason, long> DropCounts()
    {
        FlushKernelCounts();
        var result = new Dictionary<DropReason, long>();
        var counts = _drops.Snapshot();
        for (var i = 0; i < counts.Length; i++)
        {
            var v = counts[i];
            if (v != 0)
            {
                result[(DropReason)i] = v;
            }
        }

        return result;
    }

    /// <summary>
    /// Adds the replies the kernel sent since the last call to the metrics and drop counts. Runs every
    /// <see cref="Layer2Options.KernelCountInterval"/>; a metrics endpoint calls it before each scrape.
    /// </summary>
    public void FlushKernelCounts()
    {
        lock (_gate)
        {
            _kernel.Collect();
        }
    }

    /// <summary>ironlb_layer2_responder: one series per running responder, saying which path answers there.</summary>
    private List<Measurement<long>> ResponderMeasurements()
    {
        var kernel = KernelResponders.ToHashSet(StringComparer.Ordinal);
        return _loops.Select(loop => new Measurement<long>(
            1,
            new KeyValuePair<string, object?>("interface", loop.Interface.Name),
            new KeyValuePair<string, object?>("protocol", loop.Kind.Protocol()),
            new KeyValuePair<string, object?>("path", kernel.Contains(loop.Name) ? "kernel" : "userspace"))).ToList();
    }

    /// <summary>ironlb_layer2_deadline_passed: requests for announced addresses not answered because the deadline had passed.</summary>
    private List<Measurement<long>> DeadlineMeasurements()
    {
        long kernel;
        lock (_gate)
        {
            kernel = _kernel.Expired;
        }

        return
        [
            new(kernel, new KeyValuePair<string, object?>("path", "kernel")),
            new(_drops.Snapshot()[(int)DropReason.NotAnswering], new KeyValuePair<string, object?>("path", "userspace")),
        ];
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        List<IPAddress> announce;
        GratuitousScheduler scheduler;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return Task.CompletedTask;
            }

            _started = true;
            _scheduler = scheduler = new GratuitousScheduler(
                _time,
                ip => _tables.Current.Find(ip) is not null,
                SendRound,
                () => _tables.Current.Addresses,
                _options.GratuitousRefreshInterval,
                _options.GratuitousPeriod,
                _options.GratuitousWindow);
            _ = ScanLocked();
            announce = [.. _tables.Current.Addresses];
            _scanTimer = _time.CreateTimer(_ => Rescan(), null, _options.InterfaceScanInterval, _options.InterfaceScanInterval);
            _countTimer = _time.CreateTimer(_ => FlushKernelCounts(), null, _options.KernelCountInterval, _options.KernelCountInterval);
            if (_options.WatchInterfaceChanges)
            {
                try
                {
                    _watcher = _platform.WatchInterfaces(Rescan);
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
                {
                    // Periodic scanning still works; changes are just noticed later.
                    Log.WatchFailed(_logger, e);
                }
            }
        }

        // Starting means taking over whatever the table already holds.
        foreach (var address in announce)
        {
            scheduler.Request(address);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            // The kernel's programs first, so that nothing answers once the userspace loops have stopped.
            _kernel.Unload();

            // Every receive thread (and the watcher's, below) leaves at its next receive timeout, and a
            // socket's dispose waits for that: signalled together they cost one timeout in all, not one each.
            foreach (var state in _states.Values)
            {
                state.RequestStop();
            }
        }

        // Outside the lock: the watcher's thread may be waiting for it inside Rescan.
        Interlocked.Exchange(ref _watcher, null)?.Dispose();
        lock (_gate)
        {
            _started = false;
            _scanTimer?.Dispose();
            _scanTimer = null;
            _countTimer?.Dispose();
            _countTimer = null;
            _scheduler?.Dispose();
            _scheduler = null;
            _kernel.Rearm();
            foreach (var state in _states.Values)
            {
                state.Dispose(_logger);
            }

            _states.Clear();
            _loops = [];
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Replaces the desired state. Withdrawn addresses stop being answered at once (nothing is sent for them);
    /// newly owned addresses, or ones whose interfaces changed, get a gratuitous burst; solicited-node
    /// memberships follow the IPv6 addresses on every interface that announces them.
    /// </summary>
    public void SetTable(AnnounceTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var announce = new List<IPAddress>();
        GratuitousScheduler? scheduler;
        lock (_gate)
        {
            var previous = _tables.Current;
            _tables.Current = table;
            foreach (var entry in table.Entries)
            {
                var old = entry.IsIpv6 ? previous.FindV6(entry.V6) : previous.FindV4(entry.V4);
                if (old is null || !old.Interfaces.Equals(entry.Interfaces))
                {
                    announce.Add(entry.Address);
                    Log.Announcing(_logger, entry.Label, entry.Interfaces);
                }
            }

            foreach (var entry in previous.Entries)
            {
                if ((entry.IsIpv6 ? table.FindV6(entry.V6) : table.FindV4(entry.V4)) is null)
                {
                    Log.Withdrawing(_logger, entry.Label);
                }
            }

            foreach (var state in _states.Values)
            {
                state.SyncGroups(table, _logger);
            }

            _kernel.Sync(table);
            scheduler = _started ? _scheduler : null;
        }

        foreach (var address in announce)
        {
            scheduler?.Request(address);
        }
    }

    /// <summary>Rescans host interfaces now (also done every <see cref="Layer2Options.InterfaceScanInterval"/>).</summary>
    public void Rescan()
    {
        List<ResponderLoop> fresh;
        GratuitousScheduler? scheduler;
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }

            fresh = ScanLocked();
            scheduler = _scheduler;
        }

        AnnounceOn(fresh, scheduler);
    }

    /// <summary>A new (or returning) interface announces what it carries at once, then joins the running bursts.</summary>
    private void AnnounceOn(List<ResponderLoop> fresh, GratuitousScheduler? scheduler)
    {
        if (fresh.Count == 0 || scheduler is null)
        {
            return;
        }

        foreach (var entry in _tables.Current.Entries)
        {
            var sent = 0;
            foreach (var loop in fresh)
            {
                if (entry.Interfaces.Includes(loop.Interface.Name))
                {
                    sent += loop.SendGratuitous(entry);
                }
            }

            if (sent > 0)
            {
                _metrics.GratuitousSent.Add(sent, Layer2Metrics.Ip(entry.Label));
                scheduler.Extend(entry.Address);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _disposed = true;
        }

        _metrics.Dispose();
    }

    /// <summary>Brings responders in line with the host; returns the loops that just started.</summary>
    private List<ResponderLoop> ScanLocked()
    {
        IReadOnlyList<InterfaceInfo> found;
        try
        {
            found = _interfaces.Scan();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.ScanFailed(_logger, e);
            return [];
        }

        var table = _tables.Current;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fresh = new List<ResponderLoop>();
        foreach (var info in found)
        {
            var eligibility = _filter.Evaluate(info);
            if (!eligibility.Arp && !eligibility.Ndp)
            {
                continue;
            }

            seen.Add(info.Name);
            if (_states.TryGetValue(info.Name, out var existing))
            {
                // Same interface, same identity, healthy: keep it. Anything else is rebuilt from scratch.
                if (existing.Info.Index == info.Index && existing.Info.Mac == info.Mac
                    && existing.HasArp == eligibility.Arp && existing.HasNdp == eligibility.Ndp && !existing.Faulted)
                {
                    continue;
                }

                DisposeState(existing);
                _states.Remove(info.Name);
            }

            // Read once, at the first scan rather than in the constructor (no system calls there).
            _placement ??= _platform.Placement(_options);
            var state = InterfaceState.Open(info, eligibility, _platform, _placement, _tables, _metrics, _drops, _logger);
            state.SyncGroups(table, _logger);
            foreach (var loop in state.Loops)
            {
                _kernel.Attach(info, loop.Kind);
            }

            _states[info.Name] = state;
            fresh.AddRange(state.Loops);
        }

        foreach (var name in _states.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            DisposeState(_states[name]);
            _states.Remove(name);
        }

        _loops = [.. _states.Values.SelectMany(s => s.Loops)];
        _kernel.Sync(table);
        return fresh;
    }

    private void DisposeState(InterfaceState state)
    {
        _kernel.Detach(state.Info.Index);
        state.Dispose(_logger);
    }

    private void SendRound(IPAddress address)
    {
        // A gratuitous round is an answer nobody asked for: it obeys the deadline like the others.
        var entry = _tables.Current.Find(address);
        if (entry is null || !Deadline.IsOpen)
        {
            return;
        }

        var sent = 0;
        foreach (var loop in _loops)
        {
            if (entry.Interfaces.Includes(loop.Interface.Name))
            {
                sent += loop.SendGratuitous(entry);
            }
        }

        if (sent > 0)
        {
            _metrics.GratuitousSent.Add(sent, Layer2Metrics.Ip(entry.Label));
        }
    }
}
