using System.Collections.Immutable;
using System.Net;

namespace IronLb.Speaker.Conflicts;

/// <summary>
/// Which of the addresses this node is elected for it may announce, given what the LAN says (issue 16). Pure and
/// deterministic: the caller passes the time, the probe results and the claims seen since the last step, and
/// runs what the step asks for (probes, defences, reports). One thread calls it: the speaker's evaluation loop.
/// <list type="bullet">
/// <item>A newly assigned address is probed before its first announcement; any host that answers and is not an
/// IronLB node (<see cref="Trust"/>) holds it back, re-probed with back-off until nobody answers.</item>
/// <item>An address already announced is never withdrawn because of a claim: a hostile host must not be able to
/// take it by claiming it. The claim is reported, and the address defended at most once per defend interval.</item>
/// <item>An address that moves between IronLB nodes is not probed (failover does not wait), and frames from the
/// nodes' own MACs never count, so the old owner's last replies during a hand-over are not a conflict.</item>
/// </list>
/// </summary>
public sealed class AddressGuard(ConflictSettings settings)
{
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private ImmutableHashSet<string> _trusted = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);

    public ConflictSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>The MACs of every IronLB node, this one included: their frames are hand-overs, never conflicts.</summary>
    public void Trust(IEnumerable<string> macs) =>
        _trusted = macs.Select(m => m.ToLowerInvariant()).ToImmutableHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsTrusted(string mac) => _trusted.Contains(mac);

    /// <summary>Conflicts in force, by address.</summary>
    public ImmutableArray<AddressConflict> Conflicts =>
    [
        .. _entries.Where(e => e.Value.Active).OrderBy(e => e.Key.ToString(), StringComparer.Ordinal)
            .Select(e => new AddressConflict(e.Key, e.Value.State == GuardState.InUse ? ConflictKind.InUse : ConflictKind.Claimed, e.Value.Host!)),
    ];

    /// <summary>Every held address that has had a conflict: 1 while one is in force, 0 after (the metric).</summary>
    public ImmutableArray<ConflictGauge> Gauges =>
    [
        .. _entries.Where(e => e.Value.LastInterface is not null).OrderBy(e => e.Key.ToString(), StringComparer.Ordinal)
            .Select(e => new ConflictGauge(e.Key, e.Value.LastInterface!, e.Value.Active)),
    ];

    /// <summary>Held addresses not announced now (probing, or in use elsewhere): the responders watch them for claims.</summary>
    public ImmutableHashSet<IPAddress> HeldBack => [.. _entries.Where(e => e.Value.State != GuardState.Announcing).Select(e => e.Key)];

    /// <summary>Whether <paramref name="address"/> has been in conflict while held here and the conflict has ended.</summary>
    public bool Resolved(IPAddress address) => _entries.TryGetValue(address, out var e) && e.LastInterface is not null && !e.Active;

    /// <summary>
    /// One step: probe results first, then claims, then the wanted set, then time. Addresses no longer wanted are
    /// forgotten (a late probe result for one is ignored).
    /// </summary>
    /// <param name="now">Monotonic time.</param>
    /// <param name="wants">Every address this node is elected to announce now.</param>
    /// <param name="results">Probe rounds finished since the last step.</param>
    /// <param name="claims">Foreign frames seen since the last step.</param>
    public GuardStep Step(TimeSpan now, IReadOnlyList<AddressWant> wants, IReadOnlyList<ProbeResult> results, IReadOnlyList<ObservedClaim> claims)
    {
        ArgumentNullException.ThrowIfNull(wants);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(claims);
        var changes = ImmutableArray.CreateBuilder<ConflictChange>();
        var defend = ImmutableArray.CreateBuilder<DefenceRequest>();
        var probes = ImmutableArray.CreateBuilder<ProbeRequest>();

        foreach (var result in results)
        {
            if (_entries.TryGetValue(result.Address, out var entry) && entry.ProbeInFlight)
            {
                Finish(now, result, entry, changes);
            }
        }

        foreach (var claim in claims)
        {
            if (!IsTrusted(claim.Host.Mac) && _entries.TryGetValue(claim.Address, out var entry))
            {
                Claim(now, claim, entry, changes, defend);
            }
        }

        var wanted = new HashSet<IPAddress>();
        foreach (var want in wants)
        {
            wanted.Add(want.Address);
            if (!_entries.TryGetValue(want.Address, out var entry))
            {
                entry = new Entry();
                _entries[want.Address] = entry;
                if (want.MustProbe && Settings.Probes && !want.Interfaces.IsEmpty)
                {
                    entry.State = GuardState.Probing;
                    entry.ProbeInFlight = true;
                    probes.Add(new ProbeRequest(want.Address, want.Interfaces));
                }

                continue;
            }

            if (entry.State == GuardState.InUse && !entry.ProbeInFlight && now >= entry.NextProbe)
            {
                entry.ProbeInFlight = true;
                probes.Add(new ProbeRequest(want.Address, want.Interfaces));
            }
        }

        foreach (var gone in _entries.Keys.Where(a => !wanted.Contains(a)).ToList())
        {
            _entries.Remove(gone);
        }

        foreach (var (address, entry) in _entries)
        {
            if (entry.Claimed && now - entry.LastClaim >= Settings.ClaimQuiet)
            {
                entry.Claimed = false;
                changes.Add(new ConflictChange(address, ConflictKind.Claimed, entry.Host!, Started: false));
                entry.Host = null;
            }
        }

        return new GuardStep(HeldBack, probes.ToImmutable(), defend.ToImmutable(), changes.ToImmutable(), NextDeadline());
    }

    private void Finish(TimeSpan now, ProbeResult result, Entry entry, ImmutableArray<ConflictChange>.Builder changes)
    {
        entry.ProbeInFlight = false;
        var foreign = result.Answers.Concat(entry.Pending)
            .Where(h => !IsTrusted(h.Mac))
            .OrderBy(h => h.Interface, StringComparer.Ordinal).ThenBy(h => h.Mac, StringComparer.Ordinal)
            .FirstOrDefault();
        entry.Pending.Clear();
        if (foreign is not null)
        {
            var wasInUse = entry.State == GuardState.InUse;
            if (!wasInUse || entry.Host != foreign)
            {
                changes.Add(new ConflictChange(result.Address, ConflictKind.InUse, foreign, Started: true));
            }

            entry.State = GuardState.InUse;
            entry.Host = foreign;
            entry.LastInterface = foreign.Interface;
            entry.Backoff = wasInUse ? Min(entry.Backoff * 2, Settings.RetryMax) : Min(Settings.RetryInitial, Settings.RetryMax);
            entry.NextProbe = now + entry.Backoff;
            return;
        }

        // Nobody but IronLB answered, or the round could not run at all (then the address is announced as without
        // probing: the controller assigned it, and a speaker that cannot probe must not black-hole the Service).
        if (entry.State == GuardState.InUse)
        {
            changes.Add(new ConflictChange(result.Address, ConflictKind.InUse, entry.Host!, Started: false));
        }

        entry.State = GuardState.Announcing;
        entry.Host = null;
    }

    private void Claim(TimeSpan now, ObservedClaim claim, Entry entry, ImmutableArray<ConflictChange>.Builder changes, ImmutableArray<DefenceRequest>.Builder defend)
    {
        if (entry.State != GuardState.Announcing)
        {
            // While a round runs, a host that speaks for the address (or probes for it too) is an answer; while it
            // is held back, the next round will tell.
            if (entry.ProbeInFlight)
            {
                entry.Pending.Add(claim.Host);
            }

            return;
        }

        if (claim.Probe)
        {
            return;
        }

        if (!entry.Claimed || entry.Host != claim.Host)
        {
            changes.Add(new ConflictChange(claim.Address, ConflictKind.Claimed, claim.Host, Started: true));
        }

        entry.Claimed = true;
        entry.Host = claim.Host;
        entry.LastInterface = claim.Host.Interface;
        entry.LastClaim = now;
        if (entry.LastDefence is not { } last || now - last >= Settings.DefendInterval)
        {
            entry.LastDefence = now;
            defend.Add(new DefenceRequest(claim.Address, claim.Host.Interface));
        }
    }

    private TimeSpan? NextDeadline()
    {
        TimeSpan? next = null;
        foreach (var entry in _entries.Values)
        {
            TimeSpan? due = entry.State == GuardState.InUse && !entry.ProbeInFlight ? entry.NextProbe
                : entry.Claimed ? entry.LastClaim + Settings.ClaimQuiet
                : null;
            if (due is { } d && (next is null || d < next))
            {
                next = d;
            }
        }

        return next;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private enum GuardState : byte
    {
        Announcing,
        Probing,
        InUse,
    }

    private sealed class Entry
    {
        public GuardState State { get; set; }

        public bool ProbeInFlight { get; set; }

        public TimeSpan NextProbe { get; set; }

        public TimeSpan Backoff { get; set; }

        /// <summary>The host of the conflict in force.</summary>
        public ForeignHost? Host { get; set; }

        /// <summary>Where the last conflict was seen; null while there has been none.</summary>
        public string? LastInterface { get; set; }

        public bool Claimed { get; set; }

        public TimeSpan LastClaim { get; set; }

        public TimeSpan? LastDefence { get; set; }

        /// <summary>Foreign frames seen while a round was in flight.</summary>
        public List<ForeignHost> Pending { get; } = [];

        public bool Active => State == GuardState.InUse || (State == GuardState.Announcing && Claimed);
    }
}
