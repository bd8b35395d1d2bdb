using System.Collections.Immutable;
using System.Numerics;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Core.Planning;

/// <summary>
/// Whole-cluster replay over Core: validation, then every LoadBalancer Service converged in the order a
/// restarted controller would use, then the Layer 2 election. What `ironlb plan` prints is what the
/// controller and speakers would do with the same objects.
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
        return new PlanResult(pools, services, replay.Errors);
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
                : new SuggestResult(SuggestOutcome.UnknownPool, pool, [], $"unknown pool \"{pool}\"");
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
                ? replay.Allocator.FreeIps(addressPool, new AllocationRequest { Key = new ServiceKey("", "") }).V4
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

    private sealed record ReplayResult(LoadBalancerConfig Config, Allocator Allocator, List<Converged> Services, ImmutableArray<PlanError> Errors);

    private static ReplayResult Replay(PlanInput input)
    {
        var parsed = ConfigParser.Parse(input.Resources);
        var errors = parsed.Errors.Concat(parsed.Warnings)
            .Select(e => new PlanError(e.Target.Source, e.Target.ToString(), e.Message))
            .ToImmutableArray();
        var config = parsed.Config ?? parsed.Partial;
        var allocator = new Allocator();
        allocator.SetPools(config);

        // A restarted controller replays Services that hold addresses first, so none is handed to another.
        var ordered = input.Services
            .Where(s => s.IsLoadBalancer && HandlesClass(s.LoadBalancerClass, input.LoadBalancerClass))
            .OrderBy(s => s.IngressIps.Any(ip => ip.Length > 0) ? 0 : 1)
            .ThenBy(s => s.CreationTimestamp ?? DateTimeOffset.MaxValue)
            .ThenBy(s => s.Key, ServiceKey.Ordinal)
            .ToList();

        ServiceSync.Reserve(allocator, ordered);
        var results = ordered.Select(s => Apply(s, allocator)).ToList();
        for (var pass = 1; pass < MaxPasses; pass++)
        {
            var progressed = false;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Result.Succeeded)
                {
                    continue;
                }

                var retry = Apply(ordered[i], allocator);
                progressed |= retry.Result.Succeeded;
                results[i] = retry;
            }

            if (!progressed)
            {
                break;
            }
        }

        return new ReplayResult(config, allocator, results, errors);
    }

    private static Converged Apply(ServiceView service, Allocator allocator)
    {
        var result = ServiceConverger.Converge(service, allocator);
        var annotations = result.PoolAnnotation is null
            ? service.Annotations.Remove(ServiceAnnotations.IpAllocatedFromPool)
            : service.Annotations.SetItem(ServiceAnnotations.IpAllocatedFromPool, result.PoolAnnotation);
        return new Converged(service with { IngressIps = result.Ingress, Annotations = annotations }, result);
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
            .Select(e => new PlannedEvent(e.Type.ToString(), e.Reason, e.Message))
            .ToImmutableArray();
        return new ServicePlan(view.Key.Namespace, view.Key.Name, view.IngressIps, converged.Result.PoolAnnotation, announce, events);
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
