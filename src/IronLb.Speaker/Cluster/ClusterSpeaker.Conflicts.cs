using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using IronLb.Core.Allocation;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Status;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Conflicts;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Address conflicts on the LAN (issue 16), between the election and the announce table: a newly assigned address
/// is probed before its first announcement and held back while another host answers for it; a claim against an
/// announced address is reported and defended, never obeyed. The logic is <see cref="AddressGuard"/>'s; this part
/// feeds it (which addresses are new, the probe results and claims, the IronLB nodes' MACs) and carries out what it
/// asks: probes, defences, the event, the log, the ServiceL2Status condition and the metric.
/// </summary>
internal sealed partial class ClusterSpeaker
{
    /// <summary>The reason of the Warning event for a conflict, and of the Normal event when it ends.</summary>
    public const string AddressConflictReason = "addressConflict";

    public const string AddressConflictResolvedReason = "addressConflictResolved";

    // Claims queue between the responders' threads and the evaluation; a flood from one host must cost neither
    // memory nor an evaluation per frame, so distinct claims are kept once and pokes are spaced.
    private const int MaxPendingClaims = 256;
    private static readonly TimeSpan ClaimPokeSpacing = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<ProbeResult> _probeResults = new();
    private readonly ConcurrentDictionary<ObservedClaim, byte> _claims = new();
    private AddressGuard? _guard;
    private HashSet<(ServiceKey Service, string Ip)>? _assignments;
    private HashSet<(ServiceKey Service, string Ip)> _freshAssignments = [];
    private ITimer? _conflictTimer;
    private long _lastClaimPoke;
    private long _droppedClaims;
    private volatile IReadOnlyList<ConflictGauge> _conflictGauges = [];
    private CancellationToken _stopping;
    private long _conflictEpoch;

    /// <summary>
    /// Runs one probe round (RFC 5227 ARP probes / RFC 4862 DAD) on every interface of the request and returns every
    /// MAC that answered. Null: this speaker cannot probe (tests without a network), and new addresses are announced at once.
    /// </summary>
    public Func<ProbeRequest, CancellationToken, Task<ProbeResult>>? ProbeLan { get; init; }

    /// <summary>Sends one gratuitous round for an announced address on one interface; null when there is no network.</summary>
    public Func<DefenceRequest, int>? DefendAddress { get; init; }

    /// <summary>Tells the responders which held-back addresses to report claims for (those in the table they report anyway).</summary>
    public Action<IReadOnlySet<IPAddress>>? WatchHeldBack { get; init; }

    /// <summary>This host's MACs (lower-case, colon form): published on the Lease so the other speakers trust them, and trusted here.</summary>
    public Func<IReadOnlyList<string>>? LocalMacs { get; init; }

    /// <summary>Addresses that have had a conflict while held here: 1 while it lasts, 0 after (ironlb_address_conflicts).</summary>
    public IReadOnlyList<ConflictGauge> ConflictGauges => _conflictGauges;

    /// <summary>Claims not queued because too many distinct ones were pending (a flood).</summary>
    public long DroppedClaims => Interlocked.Read(ref _droppedClaims);

    /// <summary>Called on a responder thread for a foreign frame that claims an address this node holds.</summary>
    public void ObserveClaim(ObservedClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (_guard?.IsTrusted(claim.Host.Mac) == true)
        {
            // A peer's gratuitous round after a takeover: no evaluation for it.
            return;
        }

        if (_claims.Count >= MaxPendingClaims)
        {
            Interlocked.Increment(ref _droppedClaims);
            return;
        }

        _claims.TryAdd(claim, 0);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastClaimPoke);
        if (_time.GetElapsedTime(last, now) >= ClaimPokeSpacing && Interlocked.CompareExchange(ref _lastClaimPoke, now, last) == last)
        {
            Poke("claim");
        }
        else
        {
            // Spaced: the poke comes with the next evaluation's timer (armed below) at the latest.
            ArmConflictTimer(ClaimPokeSpacing);
        }
    }

    /// <summary>
    /// The plan with every held-back address taken out of its decisions and table, after one step of the guard.
    /// A Service whose addresses are all held back still counts as elected here, so its ServiceL2Status carries the condition.
    /// </summary>
    private SpeakerPlan GuardConflicts(SpeakerPlan plan)
    {
        if (_guard is null)
        {
            _conflictEpoch = _time.GetTimestamp();
            _guard = new AddressGuard(ProbeLan is null ? _options.Conflicts with { ProbeCount = 0 } : _options.Conflicts);
        }

        var guard = _guard;
        // A new pair stays new until some node is elected for it: a Service decided while this node (or every node)
        // still warms up, or before its endpoints are ready, is probed by whoever first wins it.
        var fresh = _freshAssignments;
        var decided = plan.Services.Where(d => d.Winner is not null).Select(d => d.Service).ToHashSet();
        _freshAssignments = [.. fresh.Where(pair => !decided.Contains(pair.Service))];
        var local = _localInterfaces();
        var wants = new Dictionary<IPAddress, (SortedSet<string> Interfaces, bool Probe)>();
        foreach (var decision in plan.Services.Where(d => d.Announces))
        {
            var interfaces = decision.Interfaces.AllInterfaces ? (IEnumerable<string>)(local ?? ImmutableHashSet<string>.Empty)
                : decision.Interfaces.Interfaces.Where(i => local is null || local.Contains(i));
            foreach (var text in decision.Ips)
            {
                var ip = IPAddress.Parse(text);
                if (!wants.TryGetValue(ip, out var want))
                {
                    wants[ip] = want = (new SortedSet<string>(StringComparer.Ordinal), false);
                }

                want.Interfaces.UnionWith(interfaces);
                if (fresh.Contains((decision.Service, text)) || _statuses.InUseElsewhere(decision.Service))
                {
                    wants[ip] = want with { Probe = true };
                }
            }
        }

        var results = new List<ProbeResult>();
        while (_probeResults.TryDequeue(out var result))
        {
            results.Add(result);
        }

        var claims = new List<ObservedClaim>();
        foreach (var claim in _claims.Keys)
        {
            if (_claims.TryRemove(claim, out _))
            {
                claims.Add(claim);
            }
        }

        guard.Trust(TrustedMacs());
        var step = guard.Step(
            _time.GetElapsedTime(_conflictEpoch),
            [.. wants.OrderBy(w => w.Key.ToString(), StringComparer.Ordinal).Select(w => new AddressWant(w.Key, [.. w.Value.Interfaces], w.Value.Probe))],
            results,
            claims);
        foreach (var probe in step.Probes)
        {
            StartProbe(probe);
        }

        // The announcer logs each defence it sends (and refuses any faster than one a second).
        foreach (var defence in step.Defend)
        {
            DefendAddress?.Invoke(defence);
        }

        ReportConflictChanges(plan, step.Changes);
        _conflictGauges = guard.Gauges;
        WatchHeldBack?.Invoke(step.HeldBack);
        if (step.NextDeadline is { } next)
        {
            ArmConflictTimer(next - _time.GetElapsedTime(_conflictEpoch));
        }

        if (step.HeldBack.IsEmpty)
        {
            return plan;
        }

        var held = step.HeldBack.Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        var services = plan.Services.Select(d => d.Ips.Any(held.Contains) ? d with { Ips = [.. d.Ips.Where(ip => !held.Contains(ip))], HeldBack = [.. d.Ips.Where(held.Contains)] } : d).ToImmutableArray();
        return plan with { Services = services, Table = AnnounceTableBuilder.Build(services) };
    }

    /// <summary>
    /// Notes the (Service, address) pairs that appeared in a Service's status since the last evaluation, for the next
    /// guard step (every evaluation, also before the first valid configuration). Everything present at this speaker's
    /// first evaluation counts as known: a restarted speaker, or one that wins an address on failover, does not probe
    /// (the move must not wait), unless the Service's ServiceL2Status says another host was found using it.
    /// </summary>
    private void NoteAssignments(PlanInput cluster)
    {
        var current = cluster.Services.Where(s => s.IsLoadBalancer)
            .SelectMany(s => s.IngressIps.Where(ip => ip.Length > 0).Select(ip => (s.Key, ip)))
            .ToHashSet();
        var previous = _assignments;
        _assignments = current;
        _freshAssignments.IntersectWith(current);
        if (previous is not null)
        {
            _freshAssignments.UnionWith(current.Where(pair => !previous.Contains(pair)));
        }
    }

    private IEnumerable<string> TrustedMacs()
    {
        var own = LocalMacs?.Invoke() ?? [];
        return own.Concat(SpeakerDirectory.PeerMacs(_leases.Items, _options.Node));
    }

    private void StartProbe(ProbeRequest probe)
    {
        var run = ProbeLan!;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var interfaces = string.Join(',', probe.Interfaces);
            LogProbing(_logger, probe.Address, interfaces);
        }

        _ = Task.Run(async () =>
        {
            ProbeResult result;
            try
            {
                result = await run(probe, _stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = new ProbeResult(probe.Address, [], e.Message);
            }

            if (result.Error is { } error)
            {
                LogProbeFailed(_logger, probe.Address, error);
            }

            _probeResults.Enqueue(result);
            Poke("probe");
        });
    }

    private void ArmConflictTimer(TimeSpan due)
    {
        var timer = _conflictTimer ??= _time.CreateTimer(_ => Poke("conflict"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void ReportConflictChanges(SpeakerPlan plan, ImmutableArray<ConflictChange> changes)
    {
        foreach (var change in changes)
        {
            var ip = change.Address.ToString();
            var services = plan.Services.Where(d => d.Ips.Contains(ip)).Select(d => d.Service).ToList();
            var names = string.Join(',', services);
            if (change.Started)
            {
                LogConflict(_logger, ip, change.Host.Interface, change.Host.Mac, change.Kind, names);
                foreach (var service in services)
                {
                    RecordEvent(service, "Warning", AddressConflictReason, ConflictMessage(change.Address, change.Kind, change.Host));
                }
            }
            else
            {
                LogConflictEnded(_logger, ip, change.Host.Interface, change.Host.Mac, names);
                foreach (var service in services)
                {
                    RecordEvent(service, "Normal", AddressConflictResolvedReason, $"{ip} on {change.Host.Interface}: {change.Host.Mac} no longer claims it; announced from node \"{_options.Node}\"");
                }
            }
        }
    }

    /// <summary>The AddressConflict condition of one elected Service: True while one of its addresses is in conflict, False once they ended.</summary>
    private ImmutableArray<StatusCondition> ConflictConditions(ServiceDecision decision)
    {
        if (_guard is not { } guard)
        {
            return [];
        }

        var ips = decision.Ips.Concat(decision.HeldBack).ToHashSet(StringComparer.Ordinal);
        var conflicts = guard.Conflicts.Where(c => ips.Contains(c.Address.ToString())).ToList();
        if (conflicts.Count > 0)
        {
            var reason = conflicts.Any(c => c.Kind == ConflictKind.InUse) ? ServiceL2Conditions.AddressInUse : ServiceL2Conditions.AddressClaimed;
            var message = string.Join("; ", conflicts.Select(c => ConflictMessage(c.Address, c.Kind, c.Host)));
            return [new StatusCondition(ServiceL2Conditions.AddressConflict, "True", reason, message)];
        }

        var resolved = guard.Gauges.Where(g => ips.Contains(g.Address.ToString())).Select(g => g.Address.ToString()).ToList();
        return resolved.Count == 0 ? []
            : [new StatusCondition(ServiceL2Conditions.AddressConflict, "False", ServiceL2Conditions.NoConflict, $"no other host answers for {string.Join(", ", resolved)} any more")];
    }

    private string ConflictMessage(IPAddress address, ConflictKind kind, ForeignHost host) => kind == ConflictKind.InUse
        ? $"{address} on {host.Interface} is in use by {host.Mac}: it answered node \"{_options.Node}\"'s probe; not announced until it goes silent"
        : $"{host.Mac} claims {address} on {host.Interface} while node \"{_options.Node}\" announces it; still announced, and defended";

    [LoggerMessage(EventId = 170, Level = LogLevel.Debug, Message = "Probing the LAN for {address} on {interfaces} before announcing it")]
    private static partial void LogProbing(ILogger logger, IPAddress address, string interfaces);

    [LoggerMessage(EventId = 171, Level = LogLevel.Warning, Message = "Probe for {address} could not run ({error}); announcing it without")]
    private static partial void LogProbeFailed(ILogger logger, IPAddress address, string error);

    [LoggerMessage(EventId = 172, Level = LogLevel.Warning, Message = "Address conflict: {address} on {iface} is claimed by {mac}, not an IronLB node ({kind}); Services {services}")]
    private static partial void LogConflict(ILogger logger, string address, string iface, string mac, ConflictKind kind, string services);

    [LoggerMessage(EventId = 173, Level = LogLevel.Information, Message = "Address conflict over: {mac} no longer claims {address} on {iface}; Services {services}")]
    private static partial void LogConflictEnded(ILogger logger, string address, string iface, string mac, string services);
}
