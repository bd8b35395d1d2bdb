using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.ConvergeTests;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>MetalLB's SetBalancer around converge (§3.1): TestControllerConfig, TestDeleteRecyclesIP, TestControllerReassign (§6.2 cases 59–61).</summary>
public sealed class ServiceSyncTests
{
    private static ServiceView Svc(string name, string clusterIp = "1.2.3.4") =>
        Lb(clusterIp) with { Key = new ServiceKey("default", name) };

    /// <summary>Syncs and returns the Service as the controller would write it.</summary>
    private static (ServiceView View, ServiceSyncResult Result) Sync(Allocator allocator, ServiceView view)
    {
        var result = ServiceSync.Sync(allocator, view.Key, view);
        Assert.NotNull(result.Converge);
        return (Apply(view, result.Converge), result);
    }

    [Fact]
    public void TestControllerConfig()
    {
        // No configuration yet: nothing runs at all (MetalLB: "no config yet" does nothing).
        var allocator = new Allocator();
        var view = Svc("test");
        var untouched = ServiceSync.Sync(allocator, view.Key, view);
        Assert.Equal(SyncResult.Success, untouched.Result);
        Assert.Null(untouched.Converge);

        // An empty pool set: nothing is written, nothing is warned; "error, no retry".
        allocator.SetPools(LoadBalancerConfig.Empty);
        ServiceSyncResult result;
        (view, result) = Sync(allocator, view);
        Assert.False(result.Converge!.Changed);
        Assert.Empty(result.Converge.Events);

        // A pool: the service gets 1.2.3.0.
        allocator.SetPools(Config(Pool("default", "1.2.3.0/24")));
        (view, result) = Sync(allocator, view);
        Assert.Equal(SyncResult.Success, result.Result);
        Assert.Equal(["1.2.3.0"], view.IngressIps);
        Assert.Equal("default", view.Annotations[ServiceAnnotations.IpAllocatedFromPool]);

        // Removing every pool is accepted; the next sync strips the status, "error, no retry", no event.
        allocator.SetPools(LoadBalancerConfig.Empty);
        Assert.Null(allocator.Get(view.Key));
        (view, result) = Sync(allocator, view);
        Assert.Equal(SyncResult.ErrorNoRetry, result.Result);
        Assert.True(result.Converge!.Changed);
        Assert.Empty(view.IngressIps);
        Assert.False(view.Annotations.ContainsKey(ServiceAnnotations.IpAllocatedFromPool));
        Assert.Empty(result.Converge.Events);

        // SetPools(null) is a programming error here (MetalLB: "configuration is missing", error no retry).
        Assert.Throws<ArgumentNullException>(() => allocator.SetPools(null!));
    }

    // §3.1 "No config yet (pools never loaded): do nothing". A fresh Allocator cannot tell "never loaded" from "no pools",
    // so syncing before the first configuration strips the status of every Service (step 2) — at controller start-up
    // that would wipe every IP in the cluster unless the shell gates on the first config.
    [Fact]
    public void Before_the_first_configuration_nothing_is_touched()
    {
        var allocator = new Allocator();
        var held = Svc("test") with { IngressIps = ["1.2.3.0"], Annotations = Ann($"{ServiceAnnotations.IpAllocatedFromPool}=default") };
        var result = ServiceSync.Sync(allocator, held.Key, held);
        Assert.False(result.Converge?.Changed ?? false);
    }

    [Fact]
    public void TestDeleteRecyclesIP()
    {
        var allocator = AllocatorWith(Pool("default", "1.2.3.0/32"));
        var (svc1, first) = Sync(allocator, Svc("svc1"));
        Assert.Equal(["1.2.3.0"], svc1.IngressIps);
        Assert.Equal(SyncResult.Success, first.Result);

        var (svc2, second) = Sync(allocator, Svc("svc2"));
        Assert.Empty(svc2.IngressIps);
        Assert.Equal(SyncResult.ErrorNoRetry, second.Result);
        Assert.Contains(second.Converge!.Events, e => e.Type == EventType.Warning && e.Reason == EventReasons.AllocationFailed);

        // Deleting svc1 frees its address and asks for a reprocess-all, which gives svc2 the address.
        var deleted = ServiceSync.Sync(allocator, svc1.Key, null);
        Assert.Equal(SyncResult.ReprocessAll, deleted.Result);
        Assert.Null(deleted.Converge);
        (svc2, second) = Sync(allocator, svc2);
        Assert.Equal(["1.2.3.0"], svc2.IngressIps);
        Assert.Equal(SyncResult.Success, second.Result);

        // Deleting a Service that held nothing needs no reprocess.
        Assert.Equal(SyncResult.Success, ServiceSync.Sync(allocator, new ServiceKey("default", "never"), null).Result);
    }

    [Fact]
    public void TestControllerReassign()
    {
        var allocator = AllocatorWith(Pool("default", "1.2.3.0/24"));
        var (svc, result) = Sync(allocator, Svc("test"));
        Assert.Equal(["1.2.3.0"], svc.IngressIps);

        // Adding a pool changes nothing.
        allocator.SetPools(Config(Pool("default", "1.2.3.0/24"), Pool("second", "4.5.6.0/24")));
        (svc, result) = Sync(allocator, svc);
        Assert.False(result.Converge!.Changed);
        Assert.Equal(["1.2.3.0"], svc.IngressIps);
        Assert.Empty(result.Converge.Events);

        // Deleting "default" moves the Service to "second" with a ClearAssignment.
        allocator.SetPools(Config(Pool("second", "4.5.6.0/24")));
        (svc, result) = Sync(allocator, svc);
        Assert.Equal(["4.5.6.0"], svc.IngressIps);
        Assert.Equal("second", svc.Annotations[ServiceAnnotations.IpAllocatedFromPool]);
        Assert.Equal([EventReasons.ClearAssignment, EventReasons.IpAllocated], result.Converge!.Events.Select(e => e.Reason));
        Assert.Equal(SyncResult.Success, result.Result);
    }

    [Fact]
    public void A_pool_rename_moves_the_annotation_without_a_new_address()
    {
        var allocator = AllocatorWith(Pool("old", "1.2.3.0/24"));
        var (svc, _) = Sync(allocator, Svc("test"));
        allocator.SetPools(Config(Pool("new", "1.2.3.0/24")));
        var (after, result) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0"], after.IngressIps);
        Assert.Equal("new", after.Annotations[ServiceAnnotations.IpAllocatedFromPool]);
        Assert.DoesNotContain(result.Converge!.Events, e => e.Reason == EventReasons.IpAllocated);
    }

    [Fact]
    public void Freeing_an_address_that_is_still_in_a_pool_asks_for_a_reprocess()
    {
        var allocator = AllocatorWith(Pool("default", "1.2.3.0/32"));
        var (svc, _) = Sync(allocator, Svc("test"));
        var (_, result) = Sync(allocator, svc with { Type = "NodePort" });
        Assert.Equal(SyncResult.ReprocessAll, result.Result);
        Assert.Null(allocator.Get(svc.Key));
    }

    // Found by AllocationProperties. SyncResult.ReprocessAll is documented as "an address was freed"; ServiceSync only
    // returns it when the Service lost *every* address (MetalLB's rule). A Service that moves from X to Y frees X too, yet
    // a pending Service then waits for an unrelated event (MetalLB behaves the same; it is an easy improvement).
    [Fact]
    public void Moving_to_another_address_frees_the_old_one_for_pending_services()
    {
        var allocator = AllocatorWith(Pool("p", "10.0.0.0/32"), Pool("q", "10.1.0.0/32") with { AutoAssign = false });
        var (a, _) = Sync(allocator, Svc("a"));
        var (_, pending) = Sync(allocator, Svc("b"));
        Assert.Equal(["10.0.0.0"], a.IngressIps);
        Assert.Equal(SyncResult.ErrorNoRetry, pending.Result);

        var (moved, result) = Sync(allocator, a with { Annotations = a.Annotations.SetItem(ServiceAnnotations.AddressPool, "q") });
        Assert.Equal(["10.1.0.0"], moved.IngressIps);
        Assert.Equal(SyncResult.ReprocessAll, result.Result);
    }

    [Fact]
    public void Changing_the_sharing_key_asks_for_a_reprocess()
    {
        var allocator = AllocatorWith(Pool("default", "1.2.3.0/31"));
        var shared = Svc("a") with { Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}=k"), Ports = [Tcp(80)] };
        var (a, _) = Sync(allocator, shared);
        var (_, result) = Sync(allocator, a with { Annotations = a.Annotations.SetItem(ServiceAnnotations.AllowSharedIp, "j") });
        Assert.Equal(SyncResult.ReprocessAll, result.Result);
        Assert.Equal("j", allocator.Get(a.Key)!.SharingKey);

        // So does switching to ETP Local (the backend key changes).
        var (b, _) = Sync(allocator, Svc("b"));
        var (_, local) = Sync(allocator, b with { ExternalTrafficPolicyLocal = true, Selector = Labels("app=x") });
        Assert.Equal(SyncResult.ReprocessAll, local.Result);
    }

    [Fact]
    public void E2E_sharing_conditions_change_the_second_service_loses_the_address()
    {
        // e2e "should reconsider services when sharing the ip and conditions change": one-address pool, two services
        // share; the second switches to ETP Local and loses the address while the first keeps it.
        var allocator = AllocatorWith(Pool("default", "1.2.3.0/32"));
        var first = Svc("first") with { Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}=k"), Ports = [Tcp(80)], Selector = Labels("app=a") };
        var second = Svc("second") with { Annotations = Ann($"{ServiceAnnotations.AllowSharedIp}=k"), Ports = [Tcp(81)], Selector = Labels("app=b") };
        (first, _) = Sync(allocator, first);
        (second, _) = Sync(allocator, second);
        Assert.Equal(["1.2.3.0"], first.IngressIps);
        Assert.Equal(["1.2.3.0"], second.IngressIps);

        var (changed, result) = Sync(allocator, second with { ExternalTrafficPolicyLocal = true });
        Assert.Empty(changed.IngressIps);
        Assert.Equal([EventReasons.ClearAssignment, EventReasons.AllocationFailed], result.Converge!.Events.Select(e => e.Reason));
        Assert.Equal(SyncResult.ReprocessAll, result.Result);

        var (firstAgain, again) = Sync(allocator, first);
        Assert.Equal(["1.2.3.0"], firstAgain.IngressIps);
        Assert.False(again.Converge!.Changed);
        AssertConsistent(allocator, "after the change");
    }

    [Fact]
    public void Restart_replays_assigned_services_first_and_keeps_their_addresses()
    {
        // The allocator persists nothing: a new controller replays status, assigned services first (§3.1).
        var first = AllocatorWith(Pool("default", "1.2.3.0/30"));
        var views = Enumerable.Range(0, 3).Select(i => Sync(first, Svc($"s{i}")).View).ToList();
        Assert.Equal(["1.2.3.0", "1.2.3.1", "1.2.3.2"], views.Select(v => v.IngressIps.Single()));

        var restarted = AllocatorWith(Pool("default", "1.2.3.0/30"));
        var pending = Svc("new");
        foreach (var view in views.OrderByDescending(v => v.IngressIps.Length).Append(pending).Reverse().OrderByDescending(v => v.IngressIps.Length))
        {
            var (after, result) = Sync(restarted, view);
            if (view.IngressIps.Length > 0)
            {
                Assert.False(result.Converge!.Changed, $"{view.Key} moved after restart");
            }
            else
            {
                Assert.Equal(["1.2.3.3"], after.IngressIps);
            }
        }
    }

    // Found by AllocationProperties. §3.1: a restart must keep every IP ("should preserve the same external ip after
    // controller restart"). Replaying status assigned-first in one pass, a PreferDualStack Service holding one family runs
    // step 8 and takes the other family's lowest free address, which may be one a Service later in the pass still
    // shows: that Service then gets ClearAssignment and loses its IP. Core needs a replay that re-asserts every status
    // before any converge may allocate (for example ServiceSync.Replay, or a flag that defers step 8).
    [Fact]
    public void Restart_replay_never_moves_an_assigned_service()
    {
        var before = AllocatorWith(Pool("p", "10.0.0.0/32", "fd00::/127"));
        var b = Sync(before, Svc("b")).View;
        var a = Sync(before, Lb("10.96.0.1", "fd96::1") with { Key = new ServiceKey("default", "a"), IpFamilyPolicy = IpFamilyPolicy.PreferDualStack }).View;
        Assert.Equal(["10.0.0.0"], b.IngressIps);
        Assert.Equal(["fd00::"], a.IngressIps);

        // Restart: both show one address; ties keep name order, so "a" is replayed first. The replay re-claims
        // every status before any converge, so a's step 8 cannot take b's address.
        var restarted = AllocatorWith(Pool("p", "10.0.0.0/32", "fd00::/127"));
        foreach (var (view, result) in ServiceSync.Replay(restarted, [a, b]))
        {
            Assert.True(!result.Converge!.Changed, $"{view.Key} moved from [{string.Join(",", view.IngressIps)}] to [{string.Join(",", result.Converge.Ingress)}]");
        }
    }

    [Fact]
    public void PreferDualStack_single_family_assignment_gains_the_other_family_when_its_pool_becomes_dual()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.0/31"));
        var svc = Lb("1.2.3.4", "3000::1") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack };
        (svc, _) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0"], svc.IngressIps);

        // While the pool has no IPv6 each sync reports AdditionalAssignFailed (as MetalLB does) without changing anything.
        var (same, stuck) = Sync(allocator, svc);
        Assert.False(stuck.Converge!.Changed);
        Assert.Equal([EventReasons.AdditionalAssignFailed], stuck.Converge.Events.Select(e => e.Reason));
        Assert.Equal(svc.IngressIps, same.IngressIps);

        allocator.SetPools(Config(Pool("p", "1.2.3.0/31", "1000::/127")));
        var (after, result) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0", "1000::"], after.IngressIps);
        var added = Assert.Single(result.Converge!.Events);
        Assert.Equal(EventReasons.IpAllocated, added.Reason);
        Assert.Contains("additional", added.Message, StringComparison.Ordinal);
        Assert.Equal(new PoolCounters(1, 1), allocator.Counters("p"));
    }

    [Fact]
    public void A_dual_assignment_whose_pool_becomes_single_family_is_cleared_and_reallocated()
    {
        var allocator = AllocatorWith(Pool("p", "1.2.3.0/31", "1000::/127"));
        var svc = Lb("1.2.3.4", "3000::1") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack };
        (svc, _) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0", "1000::"], svc.IngressIps);

        allocator.SetPools(Config(Pool("p", "1.2.3.0/31")));
        var (after, result) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0"], after.IngressIps);
        Assert.Equal([EventReasons.ClearAssignment, EventReasons.IpAllocated], result.Converge!.Events.Select(e => e.Reason));
    }

    [Fact]
    public void A_single_stack_assignment_does_not_jump_to_a_new_dual_pool()
    {
        var allocator = AllocatorWith(Pool("v4", "1.2.3.0/31"));
        var svc = Lb("1.2.3.4") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack };
        (svc, _) = Sync(allocator, svc);
        allocator.SetPools(Config(Pool("v4", "1.2.3.0/31"), Pool("dual", "5.0.0.0/31", "5000::/127")));
        var (after, result) = Sync(allocator, svc);
        Assert.Equal(["1.2.3.0"], after.IngressIps);
        Assert.False(result.Converge!.Changed);
    }
}
