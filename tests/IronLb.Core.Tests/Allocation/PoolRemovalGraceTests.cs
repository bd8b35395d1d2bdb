using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using static IronLb.Core.Tests.Allocation.Fixtures;

namespace IronLb.Core.Tests.Allocation;

/// <summary>
/// The pool-removal grace (a difference from MetalLB): a Service whose pool is deleted, or changed to leave
/// its address out, keeps the address until the grace ends; a pool that contains it again ends the hold.
/// Times are seconds on the caller's monotonic axis; Core never reads a clock.
/// </summary>
public sealed class PoolRemovalGraceTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly ServiceKey S1 = new("default", "s1");

    private static AddressPool Web => Pool("blue", "203.0.113.0/29");

    private static AddressPool Other => Pool("green", "198.51.100.0/30");

    private static ServiceView Service(string name, string ns = "default", ImmutableDictionary<string, string>? annotations = null) =>
        new() { Key = new ServiceKey(ns, name), ClusterIps = ["10.96.0.1"], Annotations = annotations ?? ImmutableDictionary<string, string>.Empty };

    private static PoolRemovalGrace At(double seconds, TimeSpan? period = null) => new(TimeSpan.FromSeconds(seconds), period ?? Grace);

    /// <param name="Desc">What the row shows.</param>
    /// <param name="Reapplied">The pools applied at t=5 s after "blue" was deleted at t=0; null: nothing re-applied.</param>
    /// <param name="Period">The grace.</param>
    /// <param name="EndHoldsAt">When the caller ends the holds that are due (the controller's timer).</param>
    /// <param name="Ingress">s1's status after that.</param>
    /// <param name="FromPool">s1's ip-allocated-from-pool annotation after that.</param>
    /// <param name="Held">Whether s1 is still held.</param>
    /// <param name="Reasons">The events of s1's last converge.</param>
    public sealed record HoldCase(string Desc, AddressPool[]? Reapplied, double Period, double EndHoldsAt, string[] Ingress, string? FromPool, bool Held, string[] Reasons)
    {
        public override string ToString() => Desc;
    }

    public static TheoryData<HoldCase> Cases =>
    [
        new HoldCase("removed, grace running: kept, status unchanged", null, 30, 29.9, ["203.0.113.0"], "blue", true, []),
        new HoldCase("removed, grace over: unassigned as MetalLB, then a new address", null, 30, 30, ["198.51.100.0"], "green", false,
            [EventReasons.ClearAssignment, EventReasons.IpAllocated]),
        new HoldCase("re-added the same within the grace: the assignment stays", [Web, Other], 30, 60, ["203.0.113.0"], "blue", false, []),
        new HoldCase("re-added under another name: stays, in the new pool", [Pool("blue2", "203.0.113.0/29"), Other], 30, 60, ["203.0.113.0"], "blue2", false, []),
        new HoldCase("re-added changed to leave the address out: still held in the grace", [Pool("blue", "203.0.113.4/30"), Other], 30, 29, ["203.0.113.0"], "blue", true, []),
        new HoldCase("re-added changed to leave the address out: after the grace, a new address", [Pool("blue", "203.0.113.4/30"), Other], 30, 30, ["203.0.113.4"], "blue", false,
            [EventReasons.ClearAssignment, EventReasons.IpAllocated]),
        new HoldCase("re-added with autoAssign false: stays (re-asserting ignores autoAssign, as MetalLB)", [Web with { AutoAssign = false }, Other], 30, 60, ["203.0.113.0"], "blue", false, []),
        new HoldCase("re-added restricted to another namespace: the pool refuses the Service, cleared at once as MetalLB",
            [Web with { Allocation = Restrict(namespaces: ["elsewhere"]) }, Other], 30, 5, ["198.51.100.0"], "green", false,
            [EventReasons.ClearAssignment, EventReasons.IpAllocated]),
        new HoldCase("grace 0: MetalLB's behaviour, unassigned at once", null, 0, 0, ["198.51.100.0"], "green", false, []),
        new HoldCase("grace 0, re-added: the address came back to the pool but s1 already moved", [Web, Other], 0, 60, ["198.51.100.0"], "green", false, []),
        new HoldCase("every pool removed, grace running: kept", [], 30, 29, ["203.0.113.0"], "blue", true, []),
        new HoldCase("every pool removed, grace over: cleared without an event, as MetalLB", [], 30, 30, [], null, false, []),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_removed_pool_s_Service_is_held_for_the_grace(HoldCase c)
    {
        var period = TimeSpan.FromSeconds(c.Period);
        var allocator = AllocatorWith(Web, Other);
        var s1 = Converged(Service("s1"), allocator);
        Assert.Equal(["203.0.113.0"], s1.IngressIps);

        var removed = allocator.SetPools(Config(Other), At(0, period));
        Assert.Equal(c.Period > 0 ? [S1] : [], removed.Held.Select(h => h.Key));
        AssertConsistent(allocator, c.Desc);

        // Held: converging changes nothing and says nothing. Without a grace: MetalLB's ClearAssignment at once.
        var first = ServiceConverger.Converge(s1, allocator);
        Assert.Equal(c.Period == 0, first.Changed);
        Assert.Equal(c.Period == 0 ? [EventReasons.ClearAssignment, EventReasons.IpAllocated] : [], first.Events.Select(e => e.Reason));
        s1 = ConvergeTests.Apply(s1, first);

        if (c.Reapplied is { } pools)
        {
            allocator.SetPools(Config(pools), At(5, period));
            AssertConsistent(allocator, c.Desc);
        }

        allocator.EndHolds(TimeSpan.FromSeconds(c.EndHoldsAt));
        var result = ServiceConverger.Converge(s1, allocator);
        s1 = ConvergeTests.Apply(s1, result);

        Assert.True(c.Ingress.SequenceEqual(s1.IngressIps), $"{c.Desc}: [{string.Join(",", s1.IngressIps)}]; {Describe(result)}");
        Assert.Equal(c.FromPool, s1.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool));
        Assert.Equal(c.Held, allocator.HeldFor(S1) is not null);
        Assert.Equal(c.Reasons, result.Events.Select(e => e.Reason));
        Assert.Equal(c.Held, allocator.NextHoldEnd is not null);
        AssertConsistent(allocator, c.Desc);
    }

    [Fact]
    public void A_held_address_is_reserved_from_requests_and_automatic_allocation()
    {
        var allocator = AllocatorWith(Web, Other);
        var s1 = Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));

        // While no pool contains it, a request fails as MetalLB's would; once the pool is back, s1 still has it.
        var wantsIt = Service("s2", annotations: Labels($"{ServiceAnnotations.LoadBalancerIps}=203.0.113.0"));
        Assert.Contains(EventReasons.AllocationFailed, ServiceConverger.Converge(wantsIt, allocator).Events.Select(e => e.Reason));
        allocator.SetPools(Config(Web, Other), At(5));
        Assert.Equal(["203.0.113.0"], Converged(s1, allocator).IngressIps);

        var refused = ServiceConverger.Converge(wantsIt, allocator);
        Assert.Empty(refused.Ingress);
        Assert.Contains("also in use by default/s1", Describe(refused), StringComparison.Ordinal);
        var automatic = Converged(Service("s3"), allocator);
        Assert.Equal(["203.0.113.1"], automatic.IngressIps);
        Assert.Equal(new PoolCounters(2, 0), allocator.Counters("blue"));
    }

    [Fact]
    public void A_held_address_stays_reserved_across_pool_sets_until_its_pool_comes_back()
    {
        var allocator = AllocatorWith(Web, Other);
        Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));

        // Re-applied in two steps: first a pool that leaves the address out (s1 stays held, s2 gets the new
        // range's first address), then the old range: s1 is back in the pool, and s3 skips both addresses.
        allocator.SetPools(Config(Pool("blue", "203.0.113.4/30"), Other), At(2));
        Assert.Equal(["203.0.113.4"], Converged(Service("s2"), allocator).IngressIps);
        allocator.SetPools(Config(Web, Other), At(4));

        Assert.Null(allocator.HeldFor(S1));
        Assert.Equal("blue", allocator.Get(S1)?.Pool);
        Assert.Equal(["203.0.113.1"], Converged(Service("s3"), allocator).IngressIps);
        Assert.Equal(new PoolCounters(3, 0), allocator.Counters("blue"));
        AssertConsistent(allocator, "two-step re-apply");
    }

    [Fact]
    public void The_deadline_is_the_first_removal_s_a_later_pool_set_does_not_extend_it()
    {
        var allocator = AllocatorWith(Web, Other);
        Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));
        var again = allocator.SetPools(Config(Other, Pool("extra", "192.0.2.0/30")), At(20));

        Assert.Empty(again.Held);
        Assert.Equal(TimeSpan.FromSeconds(30), allocator.NextHoldEnd);
        Assert.Empty(allocator.EndHolds(TimeSpan.FromSeconds(29)));
        Assert.Equal([S1], allocator.EndHolds(TimeSpan.FromSeconds(30)).Select(h => h.Key));
        Assert.Null(allocator.NextHoldEnd);
        Assert.Empty(allocator.UsersOf(Ip("203.0.113.0")));
    }

    [Fact]
    public void Re_adding_reports_the_hold_resumed_and_counts_the_address_in_the_pool_again()
    {
        var allocator = AllocatorWith(Web, Other);
        Converged(Service("s1"), allocator);
        Assert.Equal(new PoolCounters(1, 0), allocator.Counters("blue"));
        allocator.SetPools(Config(Other), At(0));
        Assert.Equal([S1], allocator.Held.Select(h => h.Key));
        Assert.Equal(0, allocator.AllocationCount);

        var back = allocator.SetPools(Config(Web, Other), At(3));

        Assert.Equal([S1], back.Resumed.Select(h => h.Key));
        Assert.Equal("blue", allocator.Get(S1)?.Pool);
        Assert.Equal(new PoolCounters(1, 0), allocator.Counters("blue"));
    }

    public static TheoryData<string, ImmutableDictionary<string, string>, string[]> WantsChanged => new()
    {
        { "now requests another address: given it", Labels($"{ServiceAnnotations.LoadBalancerIps}=198.51.100.2"), ["198.51.100.2"] },
        { "now requests another pool: allocated from it", Labels($"{ServiceAnnotations.AddressPool}=green"), ["198.51.100.0"] },
        { "requests the held address itself: still held", Labels($"{ServiceAnnotations.LoadBalancerIps}=203.0.113.0"), ["203.0.113.0"] },
    };

    [Theory]
    [MemberData(nameof(WantsChanged))]
    public void A_held_Service_that_wants_something_else_gives_the_hold_up(string desc, ImmutableDictionary<string, string> annotations, string[] ingress)
    {
        var allocator = AllocatorWith(Web, Other);
        var s1 = Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));

        var changed = Converged(s1 with { Annotations = s1.Annotations.SetItems(annotations) }, allocator);

        Assert.True(ingress.SequenceEqual(changed.IngressIps), $"{desc}: [{string.Join(",", changed.IngressIps)}]");
        Assert.Equal(ingress[0] == "203.0.113.0", allocator.HeldFor(S1) is not null);
        AssertConsistent(allocator, desc);
    }

    [Fact]
    public void A_held_Service_deleted_or_turned_into_ClusterIP_frees_the_address()
    {
        var allocator = AllocatorWith(Web, Other);
        var s1 = Converged(Service("s1"), allocator);
        Converged(Service("s2"), allocator);
        allocator.SetPools(Config(Other), At(0));

        Assert.Empty(ServiceConverger.Converge(s1 with { Type = "ClusterIP" }, allocator).Ingress);
        Assert.Equal(SyncResult.ReprocessAll, ServiceSync.Sync(allocator, new ServiceKey("default", "s2"), null).Result);
        Assert.Empty(allocator.Held);
        Assert.Empty(allocator.UsersOf(Ip("203.0.113.0")));
        Assert.Empty(allocator.UsersOf(Ip("203.0.113.1")));
    }

    [Fact]
    public void A_restarted_controller_adopts_statuses_outside_every_pool_for_the_grace()
    {
        // The pools went while no controller ran: a fresh allocator, s1's status outside every pool, s2's inside.
        var allocator = AllocatorWith(Other);
        var s1 = Service("s1") with { IngressIps = ["203.0.113.0"], Annotations = Labels($"{ServiceAnnotations.IpAllocatedFromPool}=blue") };
        var s2 = Service("s2") with { IngressIps = ["198.51.100.1"] };
        var twin = Service("twin") with { IngressIps = ["203.0.113.0"] };

        var adopted = ServiceSync.Adopt(allocator, [twin, s2, s1], At(0));

        // Alone on the address (no sharing key), s1 is adopted; twin, visited later, is not.
        Assert.Equal([S1], adopted.Select(h => h.Key));
        Assert.Equal("blue", adopted[0].Pool);
        var replay = ServiceSync.Replay(allocator, [twin, s2, s1]).ToDictionary(p => p.Service.Key.Name, p => p.Result.Converge!);
        Assert.False(replay["s1"].Changed);
        Assert.Equal(["198.51.100.1"], replay["s2"].Ingress);
        Assert.Equal(["198.51.100.0"], replay["twin"].Ingress);

        Assert.Equal([S1], allocator.EndHolds(TimeSpan.FromSeconds(30)).Select(h => h.Key));
        Assert.Equal(["198.51.100.2"], ServiceConverger.Converge(s1, allocator).Ingress);
    }

    public static TheoryData<string, PoolRemovalGrace, string[]> NotAdopted => new()
    {
        { "grace 0: nothing adopted, the replay clears as MetalLB", At(0, TimeSpan.Zero), [] },
        { "status inside a pool: the normal replay claims it", At(0), ["198.51.100.1"] },
    };

    [Theory]
    [MemberData(nameof(NotAdopted))]
    public void Adoption_needs_a_grace_and_an_address_outside_every_pool(string desc, PoolRemovalGrace grace, string[] status)
    {
        var allocator = AllocatorWith(Other);
        var s1 = Service("s1") with { IngressIps = status.Length == 0 ? ["203.0.113.0"] : [.. status] };

        Assert.True(ServiceSync.Adopt(allocator, [s1], grace).Count == 0, desc);
        Assert.Null(allocator.HeldFor(S1));
    }

    [Fact]
    public void Sharing_Services_are_held_and_resumed_together()
    {
        var shared = Labels($"{ServiceAnnotations.AllowSharedIp}=k");
        var allocator = AllocatorWith(Web, Other);
        var a = Converged(Service("a", annotations: shared) with { Ports = [Tcp(80)] }, allocator);
        var b = Converged(Service("b", annotations: shared) with { Ports = [Tcp(443)] }, allocator);
        Assert.Equal(a.IngressIps, b.IngressIps);

        Assert.Equal(2, allocator.SetPools(Config(Other), At(0)).Held.Length);
        Assert.Equal(2, allocator.SetPools(Config(Web, Other), At(1)).Resumed.Length);
        Assert.False(ServiceConverger.Converge(a, allocator).Changed);
        Assert.False(ServiceConverger.Converge(b, allocator).Changed);
        Assert.Equal(new PoolCounters(1, 0), allocator.Counters("blue"));
    }

    [Fact]
    public void A_held_sharing_Service_that_changes_its_sharing_key_gives_the_hold_up_and_never_shares_under_two_keys()
    {
        // Found by AllocationProperties (seed d5tvUrFxcjo2): the hold kept b on the address under a new key
        // while a still held it under the old one, which a restarted controller then refused.
        var allocator = AllocatorWith(Web, Other);
        var a = Converged(Service("a", annotations: Labels($"{ServiceAnnotations.AllowSharedIp}=k")) with { Ports = [Tcp(80)] }, allocator);
        var b = Converged(Service("b", annotations: Labels($"{ServiceAnnotations.AllowSharedIp}=k")) with { Ports = [Tcp(443)] }, allocator);
        allocator.SetPools(Config(Other), At(0));

        var rekeyed = Converged(b with { Annotations = Labels($"{ServiceAnnotations.AllowSharedIp}=other") }, allocator);

        Assert.Null(allocator.HeldFor(b.Key));
        Assert.NotNull(allocator.HeldFor(a.Key));
        Assert.DoesNotContain(a.IngressIps[0], rekeyed.IngressIps);
        AssertConsistent(allocator, "after the new sharing key");
    }

    [Fact]
    public void The_speaker_does_not_announce_a_held_address_until_its_pool_is_back()
    {
        // The decision in docs/differences.md: the grace keeps the assignment, not the announcement. The speaker
        // decides from its own configuration, as MetalLB's does; with the pool (and its advertisement) gone,
        // nothing on the wire answers for the address until the pool is re-applied.
        var allocator = AllocatorWith(Web, Other);
        var s1 = Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));
        var advertised = Web with { L2Advertisements = [new L2Advertisement("ad", null, [], [])] };

        var during = ServiceAnnouncement.Decide("n1", Converged(s1, allocator), Config(Other), new ServiceEndpoints([new EndpointView("n1", true)]), ["n1"]);
        var back = ServiceAnnouncement.Decide("n1", s1, Config(advertised, Other), new ServiceEndpoints([new EndpointView("n1", true)]), ["n1"]);

        Assert.Equal(AnnounceDecision.IpNotAllowed, during.Decision);
        Assert.Equal(AnnounceDecision.Announce, back.Decision);
    }

    [Fact]
    public void The_hold_s_event_names_the_pool_the_addresses_and_the_end_of_the_grace()
    {
        var allocator = AllocatorWith(Web, Other);
        Converged(Service("s1"), allocator);
        var hold = allocator.SetPools(Config(Other), At(0)).Held.Single();
        var adopted = hold with { Allocation = hold.Allocation with { Pool = "" } };

        Assert.Equal(
            "pool blue removed; keeping [\"203.0.113.0\"] until 2026-12-06T10:31:05Z (--pool-removal-grace), then it is unassigned unless a pool allowing this Service contains it again",
            PoolRemovalGraceEvents.HeldMessage(hold, "2026-12-06T10:31:05Z"));
        Assert.StartsWith("no pool contains the address; keeping", PoolRemovalGraceEvents.HeldMessage(adopted, "t"), StringComparison.Ordinal);
        Assert.Equal("pool blue2 contains [\"203.0.113.0\"] again; the assignment stays", PoolRemovalGraceEvents.KeptMessage(hold, "blue2"));
    }

    // Found by AllocationProperties (CI, seed bn0Tq7x9hjt1): a dual Service held on one removed address and one that
    // its pool still contains gave the kept one up without a reprocess, so a PreferDualStack Service waiting for it
    // stayed single-family until a restart, whose replay then added it.
    public static TheoryData<string, bool> HoldsGivingUpAPoolAddress => new()
    {
        { "the held Service is turned into NodePort", false },
        { "the grace ends", true },
    };

    [Theory]
    [MemberData(nameof(HoldsGivingUpAPoolAddress))]
    public void A_hold_that_gives_up_an_address_a_pool_contains_asks_for_a_reprocess(string desc, bool graceEnds)
    {
        var dual = Pool("dual", "203.0.113.0/32", "2001:db8::/128");
        var allocator = AllocatorWith(dual);
        var s1 = Converged(DualStack("s1", IpFamilyPolicy.RequireDualStack), allocator);
        Assert.Equal(["203.0.113.0", "2001:db8::"], s1.IngressIps);

        // The IPv4 range moves: s1 is held on 203.0.113.0 (in no pool) and 2001:db8:: (still in "dual").
        allocator.SetPools(Config(Pool("dual", "203.0.113.8/32", "2001:db8::/128")), At(0));
        Assert.Equal([S1], allocator.Held.Select(h => h.Key));
        var (s2, first) = SyncWritten(allocator, DualStack("s2", IpFamilyPolicy.PreferDualStack));
        Assert.Equal(["203.0.113.8"], s2.IngressIps);
        Assert.Equal(SyncResult.Success, first.Result);

        var result = graceEnds
            ? ServiceSync.EndHolds(allocator, TimeSpan.FromSeconds(30)).Result
            : ServiceSync.Sync(allocator, S1, s1 with { Type = "NodePort" }).Result;

        Assert.True(SyncResult.ReprocessAll == result, desc);
        Assert.Empty(allocator.Held);
        var (again, _) = SyncWritten(allocator, s2);
        Assert.Equal(["203.0.113.8", "2001:db8::"], again.IngressIps);
        AssertConsistent(allocator, desc);
    }

    [Fact]
    public void Ending_a_hold_outside_every_pool_needs_no_reprocess()
    {
        var allocator = AllocatorWith(Web, Other);
        Converged(Service("s1"), allocator);
        allocator.SetPools(Config(Other), At(0));

        var (ended, result) = ServiceSync.EndHolds(allocator, TimeSpan.FromSeconds(30));
        Assert.Equal([S1], ended.Select(h => h.Key));
        Assert.Equal(SyncResult.Success, result);
    }

    private static ServiceView DualStack(string name, IpFamilyPolicy policy) =>
        Service(name) with { ClusterIps = ["10.96.0.1", "fd96::1"], IpFamilyPolicy = policy };

    private static (ServiceView Written, ServiceSyncResult Result) SyncWritten(Allocator allocator, ServiceView service)
    {
        var result = ServiceSync.Sync(allocator, service.Key, service);
        return (ConvergeTests.Apply(service, result.Converge!), result);
    }

    private static ServiceView Converged(ServiceView service, Allocator allocator) =>
        ConvergeTests.Apply(service, ServiceConverger.Converge(service, allocator));

    private static string Describe(ConvergeResult result) => string.Join("; ", result.Events.Select(e => $"{e.Type} {e.Reason}: {e.Message}"));
}
