using System.Collections.Immutable;
using IronLb.Core.Addressing;

namespace IronLb.Core.Allocation;

/// <summary>What converging one Service decided: the status and annotation to write, and the events.</summary>
public sealed record ConvergeResult(
    bool Succeeded,
    ImmutableArray<string> Ingress,
    string? PoolAnnotation,
    ImmutableArray<ServiceEvent> Events,
    bool Changed);

/// <summary>
/// MetalLB's convergeBalancer as a pure function of the Service and the allocator (which it updates):
/// re-assert what the Service holds, drop what the configuration no longer allows, allocate what is missing.
/// </summary>
public static class ServiceConverger
{
    public static ConvergeResult Converge(ServiceView service, Allocator allocator)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(allocator);
        return new Run(service, allocator).Execute();
    }

    /// <summary>The allocator's view of a Service: sharing key and, for externalTrafficPolicy Local, the backend key.</summary>
    public static AllocationRequest RequestFor(ServiceView service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new AllocationRequest
        {
            Key = service.Key,
            Labels = service.Labels,
            Ports = service.Ports,
            SharingKey = ServiceAnnotations.Get(service.Annotations, ServiceAnnotations.AllowSharedIp) ?? "",
            BackendKey = service.ExternalTrafficPolicyLocal
                ? string.Join(',', service.Selector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))
                : "",
        };
    }

    private sealed class Run(ServiceView service, Allocator allocator)
    {
        private readonly List<ServiceEvent> _events = [];
        private readonly AllocationRequest _request = RequestFor(service);
        private readonly IpFamilyPolicy _policy = service.IpFamilyPolicy ?? IpFamilyPolicy.SingleStack;
        // MetalLB reads an empty address-pool annotation as no annotation.
        private readonly string? _poolAnnotation = ServiceAnnotations.Get(service.Annotations, ServiceAnnotations.AddressPool) is { Length: > 0 } pool ? pool : null;
        private ImmutableArray<string> _ingress = service.IngressIps;
        private string? _pool = service.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool);

        private string Key => service.Key.ToString();

        public ConvergeResult Execute()
        {
            if (!service.IsLoadBalancer)
            {
                Clear();
                return Done(true);
            }

            // Held through a pool-removal grace: the status stays as it is, quietly (the controller reported the
            // hold when it began). A Service that now wants something else gives the hold up and converges as usual.
            if (allocator.HeldFor(service.Key) is { } hold)
            {
                if (StillWants(hold))
                {
                    return Done(true);
                }

                allocator.Unassign(service.Key);
            }

            if (allocator.Config.Pools.IsEmpty || service.ClusterIps.IsDefaultOrEmpty)
            {
                Clear();
                return Done(false);
            }

            if (_policy == IpFamilyPolicy.RequireDualStack && service.ClusterIps.Length < 2)
            {
                Warn(EventReasons.NotEnoughClusterIps, $"RequireDualStack needs two clusterIPs, the service has {Families.Quote(service.ClusterIps)}");
                Clear();
                return Done(false);
            }

            var current = service.IngressIps.Where(ip => ip.Length > 0).ToList();
            var held = new List<Address>();
            var clusterFamily = default(ServiceFamily);
            if (current.Count > 0)
            {
                var lbKnown = Families.TryParseFamily(current, out held, out var lbFamily, out var lbError);
                if (!lbKnown)
                {
                    Warn(EventReasons.NoLbIpsIpFamily, $"Failed to retrieve the family of the load balancer IPs {Families.Quote(current)}: {lbError}");
                }

                if (!Families.TryParseFamily(service.ClusterIps, out _, out clusterFamily, out var clusterError))
                {
                    Warn(EventReasons.NoClusterIpsIpFamily, $"Failed to retrieve the family of the cluster IPs {Families.Quote(service.ClusterIps)}: {clusterError}");
                    return Done(false);
                }

                var keepForPrefer = clusterFamily == ServiceFamily.Dual && _policy == IpFamilyPolicy.PreferDualStack;
                if ((!lbKnown || lbFamily != clusterFamily) && !keepForPrefer)
                {
                    Clear();
                    held = [];
                }
            }

            if (held.Count > 0)
            {
                if (ReassertOrClear(held) is { } failed)
                {
                    return failed;
                }
            }

            // Step 8, only for dual clusterIPs and when no addresses were requested: adding a family to a requested
            // single address would make the next converge see "held differs from requested" and clear both.
            if (held.Count == 1 && _policy == IpFamilyPolicy.PreferDualStack && clusterFamily == ServiceFamily.Dual
                && TryGetDesiredIps(out var requested, out _) && requested.Count == 0)
            {
                AddOtherFamily(held);
            }

            if (held.Count == 0)
            {
                var result = AllocateIps();
                if (!result.Succeeded)
                {
                    Warn(EventReasons.AllocationFailed, $"Failed to allocate IP for \"{Key}\": {result.Error}");
                    return Done(false);
                }

                held = [.. result.Ips];
                Normal(EventReasons.IpAllocated, $"Assigned IP {Families.Quote(held)}");
            }

            _ingress = [.. held.Select(ip => ip.ToString())];
            _pool = allocator.Get(service.Key)?.Pool;
            return Done(true);
        }

        // A held Service keeps its hold while its status still shows exactly the held addresses and nothing it
        // asks for (requested addresses, pool, families) says otherwise.
        private bool StillWants(HeldAssignment hold)
        {
            var current = service.IngressIps.Where(ip => ip.Length > 0).ToList();
            if (service.ClusterIps.IsDefaultOrEmpty
                || !Families.TryParseFamily(current, out var shown, out var shownFamily, out _)
                || !shown.ToHashSet().SetEquals(hold.Ips)
                || !Families.TryParseFamily(service.ClusterIps, out _, out var clusterFamily, out _)
                || (shownFamily != clusterFamily && !(clusterFamily == ServiceFamily.Dual && _policy == IpFamilyPolicy.PreferDualStack))
                || (_policy == IpFamilyPolicy.RequireDualStack && service.ClusterIps.Length < 2))
            {
                return false;
            }

            if (_poolAnnotation is not null && !string.Equals(_poolAnnotation, hold.Pool, StringComparison.Ordinal))
            {
                return false;
            }

            // What it shares the addresses with must not change under the hold: a new sharing key (or, while
            // sharing, other ports or backends) is checked against the co-holders only by a normal converge.
            if (!SharesAsHeld(hold.Allocation))
            {
                return false;
            }

            return TryGetDesiredIps(out var desired, out _) && (desired.Count == 0 || desired.ToHashSet().SetEquals(hold.Ips));
        }

        private bool SharesAsHeld(Allocation held) =>
            string.Equals(_request.SharingKey, held.SharingKey, StringComparison.Ordinal)
            && (_request.SharingKey.Length == 0
                || (string.Equals(_request.BackendKey, held.BackendKey, StringComparison.Ordinal)
                    && _request.Ports.ToHashSet().SetEquals(held.Ports)));

        // Step 7: the held addresses must still be acceptable, in the requested pool, and the requested ones.
        private ConvergeResult? ReassertOrClear(List<Address> held)
        {
            if (allocator.Assign(_request, held, _pool) is { } error)
            {
                Normal(EventReasons.ClearAssignment, $"current IP {Families.Quote(held)} for \"{Key}\" not allowed by config, a new assignment will be attempted: {error}");
                Clear();
                held.Clear();
                return null;
            }

            if (_poolAnnotation is not null && !string.Equals(allocator.Get(service.Key)?.Pool, _poolAnnotation, StringComparison.Ordinal))
            {
                Clear();
                held.Clear();
                return null;
            }

            if (!TryGetDesiredIps(out var desired, out var desiredError))
            {
                Warn(EventReasons.LoadBalancerFailed, $"Failed to parse the requested IPs for \"{Key}\", keeping {Families.Quote(held)}: {desiredError}");
                return Done(false);
            }

            if (desired.Count > 0 && !desired.ToHashSet().SetEquals(held))
            {
                Clear();
                held.Clear();
            }

            return null;
        }

        // Step 8: PreferDualStack with one address gains the other family from the same pool when it can.
        private void AddOtherFamily(List<Address> held)
        {
            var pool = allocator.Get(service.Key)?.Pool;
            var wanted = held[0].Family.Other();
            if (pool is null || !allocator.Config.ByName.TryGetValue(pool, out var addressPool))
            {
                return;
            }

            var (v4, v6) = allocator.FreeIps(addressPool, _request);
            var candidate = wanted == IpFamily.IPv4 ? v4 : v6;
            var error = candidate is null
                ? $"no available {wanted.ToServiceFamily().ToWire()} IPs in pool \"{pool}\""
                : allocator.Assign(_request, [held[0], candidate.Value], pool);
            if (error is null)
            {
                held.Add(candidate!.Value);
                Normal(EventReasons.IpAllocated, $"Assigned additional IP {Families.Quote([candidate.Value])}");
            }
            else
            {
                Normal(EventReasons.AdditionalAssignFailed, $"Failed to assign an additional {wanted.ToServiceFamily().ToWire()} IP to \"{Key}\": {error}");
            }
        }

        // MetalLB's allocateIPs: requested addresses, else the requested pool, else automatic.
        private AllocationResult AllocateIps()
        {
            if (!Families.TryParseFamily(service.ClusterIps, out _, out var family, out var clusterError))
            {
                return AllocationResult.Fail($"invalid clusterIPs {Families.Quote(service.ClusterIps)}: {clusterError}");
            }

            if (!TryGetDesiredIps(out var desired, out var desiredError))
            {
                return AllocationResult.Fail(desiredError);
            }

            if (desired.Count > 0)
            {
                Families.TryGetFamily(desired, out var desiredFamily, out _);
                if (desiredFamily != family)
                {
                    return AllocationResult.Fail($"requested loadBalancer IP(s) {Families.Quote(desired)} do not match the ipFamily of the service");
                }

                if (allocator.Assign(_request, desired) is { } error)
                {
                    return AllocationResult.Fail(error);
                }

                if (_poolAnnotation is not null && !string.Equals(allocator.Get(service.Key)?.Pool, _poolAnnotation, StringComparison.Ordinal))
                {
                    allocator.Unassign(service.Key);
                    return AllocationResult.Fail($"requested loadBalancer IP(s) {Families.Quote(desired)} is not compatible with requested address pool {_poolAnnotation}");
                }

                return new AllocationResult([.. desired], null);
            }

            if (_poolAnnotation is not null)
            {
                return allocator.AllocateFromPool(_request, _poolAnnotation, family, _policy);
            }

            var primary = service.IpFamilies.IsDefaultOrEmpty || !string.Equals(service.IpFamilies[0], "IPv6", StringComparison.Ordinal)
                ? IpFamily.IPv4
                : IpFamily.IPv6;
            return allocator.Allocate(_request, family, _policy, primary);
        }

        // The annotation (current key, else legacy), else spec.loadBalancerIP; both set is an error.
        private bool TryGetDesiredIps(out List<Address> desired, out string error)
        {
            desired = [];
            error = string.Empty;
            var annotation = ServiceAnnotations.Get(service.Annotations, ServiceAnnotations.LoadBalancerIps) ?? "";
            var field = service.LoadBalancerIp ?? "";
            if (annotation.Length == 0 && field.Length == 0)
            {
                return true;
            }

            if (annotation.Length > 0 && field.Length > 0)
            {
                error = $"service can not have both {ServiceAnnotations.LoadBalancerIps} and svc.Spec.LoadBalancerIP";
                return false;
            }

            if (annotation.Length > 0)
            {
                foreach (var item in annotation.Split(','))
                {
                    if (!Address.TryParse(item.Trim(), out var ip))
                    {
                        error = $"invalid {ServiceAnnotations.LoadBalancerIps}: \"{annotation}\"";
                        return false;
                    }

                    desired.Add(ip);
                }

                return Families.TryGetFamily(desired, out _, out error);
            }

            if (!Address.TryParse(field, out var single))
            {
                error = $"invalid spec.loadBalancerIP \"{field}\"";
                return false;
            }

            desired.Add(single);
            return true;
        }

        private void Clear()
        {
            allocator.Unassign(service.Key);
            _ingress = [];
            _pool = null;
        }

        private void Normal(string reason, string message) => _events.Add(new ServiceEvent(EventType.Normal, reason, message));

        private void Warn(string reason, string message) => _events.Add(new ServiceEvent(EventType.Warning, reason, message));

        private ConvergeResult Done(bool succeeded)
        {
            var changed = !_ingress.SequenceEqual(service.IngressIps, StringComparer.Ordinal)
                || !string.Equals(_pool, service.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool), StringComparison.Ordinal);
            if (changed)
            {
                foreach (var legacy in ServiceAnnotations.LegacyKeysIn(service.Annotations))
                {
                    _events.Insert(0, new ServiceEvent(EventType.Warning, EventReasons.DeprecatedAnnotation,
                        $"Service uses the deprecated annotation \"{legacy}\", use \"{ServiceAnnotations.Prefix}{legacy[ServiceAnnotations.LegacyPrefix.Length..]}\" instead"));
                }
            }

            return new ConvergeResult(succeeded, _ingress, _pool, [.. _events], changed);
        }
    }
}
