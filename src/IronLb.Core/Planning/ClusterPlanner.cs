using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Egress;

namespace IronLb.Core.Planning;

/// <summary>
/// Whole-cluster replay over Core: validation, then every LoadBalancer Service converged in the order a
/// restarted controller would use, then the Layer 2 election. What `ironlb plan` prints is what the
/// controller and speakers would do with the same objects. A plan has no time, so it has no pool-removal
/// grace: a Service whose address lies outside every pool is shown unassigned (or moved), which is what
/// the controller does once the grace is over (and at once with --pool-removal-grace 0).
/// </summary>
public static class ClusterPlanner
{
    // A freed address can let a pending Service in; a few passes reach the fixed point the controller's
    // reprocess-all would reach.
    private const int MaxPasses = 5;

    public static PlanResult Plan(PlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var replay = Replay(input);
        var candidates = CandidateNodes(input, replay.Config);
        var services = replay.Services
            .OrderBy(s => s.View.Key, ServiceKey.Ordinal)
            .Select(s => PlanService(s, input, replay.Config, candidates))
            .ToImmutableArray();
        var pools = replay.Config.Pools.Select(p => Usage(p, replay.Allocator)).ToImmutableArray();
        return new PlanResult(pools, services, replay.Errors) { Warnings = replay.Warnings };
    }

    public static SuggestResult Suggest(PlanInput input, string pool, SuggestFamily family, Random random)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(random);
        var replay = Replay(input);
        if (!replay.Config.ByName.TryGetValue(pool, out var addressPool))
        {
            var broken = replay.Errors.Any(e => e.ObjectName.EndsWith($"/{pool}", StringComparison.Ordinal) && e.ObjectName.StartsWith("IPAddressPool", StringComparison.Ordinal));
            return broken
                ? new SuggestResult(SuggestOutcome.InvalidConfiguration, pool, [], $"pool \"{pool}\" is invalid: {string.Join("; ", replay.Errors.Where(e => e.ObjectName.EndsWith($"/{pool}", StringComparison.Ordinal)).Select(e => e.Message))}")
                : new SuggestResult(SuggestOutcome.UnknownPool, pool, [], $"unknown pool \"{pool}\"; {PoolMessages.Existing(replay.Config.Pools.Select(p => p.Name))}");
        }

        var wanted = family switch
        {
            SuggestFamily.IPv4 => [IpFamily.IPv4],
            SuggestFamily.IPv6 => [IpFamily.IPv6],
            SuggestFamily.Dual => [IpFamily.IPv4, IpFamily.IPv6],
            _ => new[] { IpFamily.IPv4, IpFamily.IPv6 }.Where(addressPool.HasFamily).ToArray(),
        };
        var ips = ImmutableArray.CreateBuilder<string>();
        foreach (var f in wanted)
        {
            if (!addressPool.HasFamily(f))
            {
                return new SuggestResult(SuggestOutcome.FamilyMissing, pool, [], $"pool \"{pool}\" has no {f.ToServiceFamily().ToWire()} addresses");
            }

            var free = f == IpFamily.IPv4
                ? LowestFreeIPv4(addressPool, replay.Allocator)
                : RandomFreeIPv6(addressPool, replay.Allocator, random);
            if (free is null)
            {
                return new SuggestResult(SuggestOutcome.PoolFull, pool, [], $"pool \"{pool}\" has no free {f.ToServiceFamily().ToWire()} address");
            }

            ips.Add(free.Value.ToString());
        }

        return new SuggestResult(SuggestOutcome.Ok, pool, ips.ToImmutable(), string.Empty);
    }

    private sealed record Converged(ServiceView View, ConvergeResult Result);

    private sealed record ReplayResult(LoadBalancerConfig Config, Allocator Allocator, List<Converged> Services, ImmutableArray<PlanError> Errors, ImmutableArray<PlanError> Warnings);

    private static ReplayResult Replay(PlanInput input)
    {
        var parsed = ConfigParser.Parse(input.Resources);
        var errors = parsed.Errors.Select(ToPlanError).ToImmutableArray();
        var warnings = parsed.Warnings.Select(ToPlanError).ToImmutableArray();
        var config = parsed.Config ?? parsed.Partial;
        var allocator = new Allocator();
        allocator.SetPools(config);

        // Exactly the controller's start-up: one replay, and another over the Services as written while a
        // pass freed an address (SyncResult.ReprocessAll), which may let a pending Service in.
        var services = input.Services
            .Where(s => s.IsLoadBalancer && HandlesClass(s.LoadBalancerClass, input.LoadBalancerClass))
            .ToList();
        var events = new Dictionary<ServiceKey, ImmutableArray<ServiceEvent>>();
        var pass = ServiceSync.Replay(allocator, services);
        for (var passes = 1; passes < MaxPasses && pass.Any(p => p.Result.Result == SyncResult.ReprocessAll); passes++)
        {
            Collect(pass, events);
            pass = ServiceSync.Replay(allocator, pass.Select(p => ServiceSync.Written(p.Service, p.Result.Converge!)));
        }

        // The allocator has a configuration (SetPools above), so every Service converged in every pass.
        Collect(pass, events);
        var results = pass
            .Select(p => new Converged(ServiceSync.Written(p.Service, p.Result.Converge!), p.Result.Converge! with { Events = [.. events[p.Service.Key].Distinct()] }))
            .ToList();
        return new ReplayResult(config, allocator, results, errors, warnings);
    }

    private static PlanError ToPlanError(ConfigError e) => new(e.Target.Source, e.Target.ToString(), e.Message, e.Field);

    // Every pass's events, as the controller would record them one pass after the other (a repeat only
    // raises an Event's count, so it is shown once).
    private static void Collect(IReadOnlyList<(ServiceView Service, ServiceSyncResult Result)> pass, Dictionary<ServiceKey, ImmutableArray<ServiceEvent>> events)
    {
        foreach (var (service, result) in pass)
        {
            events[service.Key] = events.GetValueOrDefault(service.Key, []).AddRange(result.Converge!.Events);
        }
    }

    // MetalLB's --lb-class filter: unset handles only Services without a class.
    private static bool HandlesClass(string? serviceClass, string handled) =>
        string.Equals(serviceClass ?? "", handled, StringComparison.Ordinal);

    private static ImmutableArray<string> CandidateNodes(PlanInput input, LoadBalancerConfig config) =>
        input.CandidateNodes.IsDefaultOrEmpty ? [.. config.Nodes.Select(n => n.Name)] : input.CandidateNodes;

    private static ServicePlan PlanService(Converged converged, PlanInput input, LoadBalancerConfig config, ImmutableArray<string> candidates)
    {
        var view = converged.View;
        var endpoints = input.Endpoints.TryGetValue(view.Key, out var given)
            ? given
            : new ServiceEndpoints([.. candidates.Select(n => new EndpointView(n, Ready: true))]);
        AnnounceInfo? announce = null;
        if (!view.IngressIps.IsEmpty)
        {
            var decision = ServiceAnnouncement.Decide(null, view, config, endpoints, candidates);
            if (decision is { Decision: AnnounceDecision.Announce, Winner: { } winner })
            {
                announce = new AnnounceInfo(winner, decision.Interfaces.Interfaces);
            }
        }

        var events = converged.Result.Events
            .Select(e => new PlannedEvent(e.Type.ToString(), e.Reason, e.Message, e.Type == EventType.Warning ? ServiceRequestField.Of(view, e) : null))
            .ToImmutableArray();
        return new ServicePlan(view.Key.Namespace, view.Key.Name, view.IngressIps, converged.Result.PoolAnnotation, announce, events)
        {
            Egress = EgressSelection.IsRequested(view) ? EgressSelection.Paths(view.IngressIps, announce?.Node) : [],
            Bgp = PlanBgp(view, config, endpoints, candidates),
        };
    }

    /// <summary>
    /// BGP mode needs no election: every candidate node decides for itself, as its speaker does, so the plan asks
    /// <see cref="BgpAnnouncement.DecideForNode"/> for each (the same call a speaker makes for its own node) rather
    /// than for the Node objects alone, which manifests often leave out. Null without any BGPAdvertisement.
    /// </summary>
    private static BgpServiceAnnouncement? PlanBgp(ServiceView view, LoadBalancerConfig config, ServiceEndpoints endpoints, ImmutableArray<string> candidates)
    {
        if (!config.Pools.Any(p => !p.BgpAdvertisements.IsDefaultOrEmpty))
        {
            return null;
        }

        var service = BgpAnnouncement.Decide(view, config, endpoints);
        return service.Decision != BgpAnnounceDecision.Announce
            ? service
            : service with { Nodes = [.. candidates.Order(StringComparer.Ordinal).Select(n => BgpAnnouncement.DecideForNode(n, view, config, endpoints))] };
    }

    private static PoolUsage Usage(AddressPool pool, Allocator allocator)
    {
        var counters = allocator.Counters(pool.Name);
        var v4 = pool.Capacity(IpFamily.IPv4);
        var v6 = pool.Capacity(IpFamily.IPv6);
        return new PoolUsage(
            pool.Name,
            pool.AutoAssign,
            new FamilyUsage(v4, counters.InUseV4, v4 - counters.InUseV4),
            new FamilyUsage(v6, counters.InUseV6, v6 - counters.InUseV6));
    }

    /// <summary>
    /// The lowest free IPv4 address in the pool's order (MetalLB's choice), except that the network and
    /// broadcast addresses of a subnet written in spec.addresses are never suggested: hosts on that LAN
    /// treat them as the subnet itself, so ARP for them goes nowhere useful. A /31 (RFC 3021) and a /32
    /// have neither, and a range's pieces are not subnets. avoidBuggyIPs is honoured on top (pool.Contains).
    /// Pools often write a slice of a larger LAN as small CIDRs (the campus's 141.89.58.180/30), whose ends
    /// are ordinary addresses there, so when only such addresses are left the lowest of them is suggested
    /// rather than calling the pool full. The scan passes only used and reserved addresses before it stops.
    /// </summary>
    private static Address? LowestFreeIPv4(AddressPool pool, Allocator allocator)
    {
        Address? reserved = null;
        foreach (var cidr in pool.Cidrs.Where(c => c.Family == IpFamily.IPv4))
        {
            for (var offset = UInt128.Zero; offset <= Cidr.HostMask(cidr.HostBits); offset++)
            {
                var candidate = cidr.First.Add(offset);
                if (!pool.Contains(candidate) || allocator.UsersOf(candidate).Count > 0)
                {
                    continue;
                }

                if (!IsNetworkOrBroadcast(pool, candidate))
                {
                    return candidate;
                }

                reserved ??= candidate;
            }
        }

        return reserved;
    }

    /// <summary>The first or last address of an IPv4 CIDR of /30 or shorter written in spec.addresses.</summary>
    public static bool IsNetworkOrBroadcast(AddressPool pool, Address address) =>
        address.Family == IpFamily.IPv4
        && pool.WrittenCidrs.Any(c => c.Family == IpFamily.IPv4 && c.PrefixLength <= 30 && (address == c.First || address == c.Last));

    // A random free address keeps new Services from clustering at the start of a /64, where the first
    // address is the subnet-router anycast address (RFC 4291) and must not be used.
    private static Address? RandomFreeIPv6(AddressPool pool, Allocator allocator, Random random)
    {
        var cidrs = pool.Cidrs.Where(c => c.Family == IpFamily.IPv6).ToList();
        var sizes = cidrs.Select(Usable).ToList();
        var total = sizes.Aggregate(BigInteger.Zero, (a, b) => a + b);
        if (total.IsZero)
        {
            return null;
        }

        const int SmallEnoughToList = 1 << 16;
        if (total <= SmallEnoughToList)
        {
            var free = cidrs.SelectMany(Candidates).Where(a => allocator.UsersOf(a).Count == 0).ToList();
            return free.Count == 0 ? null : free[random.Next(free.Count)];
        }

        for (var attempt = 0; attempt < 256; attempt++)
        {
            var pick = RandomBelow(total, random);
            for (var i = 0; i < cidrs.Count; i++)
            {
                if (pick < sizes[i])
                {
                    var candidate = cidrs[i].First.Add(FirstUsableOffset(cidrs[i]) + (UInt128)pick);
                    if (allocator.UsersOf(candidate).Count == 0)
                    {
                        return candidate;
                    }

                    break;
                }

                pick -= sizes[i];
            }
        }

        return null;

        static BigInteger Usable(Cidr c) => c.Size - FirstUsableOffset(c);

        static IEnumerable<Address> Candidates(Cidr c)
        {
            for (var offset = (UInt128)FirstUsableOffset(c); offset <= Cidr.HostMask(c.HostBits); offset++)
            {
                yield return c.First.Add(offset);
            }
        }
    }

    // Skip the all-zero host address (subnet-router anycast) unless the prefix is a single address.
    private static uint FirstUsableOffset(Cidr cidr) => cidr.HostBits == 0 ? 0u : 1u;

    private static BigInteger RandomBelow(BigInteger bound, Random random)
    {
        var bytes = new byte[bound.GetByteCount(isUnsigned: true) + 8];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }
}
