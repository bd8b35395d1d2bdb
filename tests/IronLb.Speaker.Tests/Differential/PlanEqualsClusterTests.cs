using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using IronLb.Core.Allocation;

namespace IronLb.Speaker.Tests.Differential;

/// <summary>
/// DESIGN.md's promise, property-tested: what `ironlb plan` says is what the cluster does. Random clusters
/// (pools with CIDRs and ranges, autoAssign, serviceAllocation, single- and dual-stack Services with and
/// without requested addresses, sharing keys, statuses already written, creation timestamps, endpoints)
/// are planned from their objects and converged by the real controller against KubeSim; every Service's
/// addresses and pool, every pool's counts, every Service's announcing node (the speaker's election,
/// all nodes live), and in clusters with BGPPeers and BGPAdvertisements every node's BGP decision and routes
/// must agree. A failure prints the shrunk cluster.
/// </summary>
[Trait("Category", Category.Kubectl)]
[Trait("Category", Category.Differential)]
public sealed class PlanEqualsClusterTests(ITestOutputHelper output)
{
    /// <summary>How many clusters one run generates; IRONLB_DIFFERENTIAL_CLUSTERS overrides it.</summary>
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("IRONLB_DIFFERENTIAL_CLUSTERS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 200;

    [Fact]
    public async Task Plan_controller_and_speakers_agree_on_generated_clusters()
    {
        await using var cluster = await DifferentialCluster.StartAsync();
        var watch = Stopwatch.StartNew();
        var (runs, services, addressed, announced, bgpCompared, bgpRoutes) = (0, 0, 0, 0, 0, 0);
        await ClusterGen.Cluster.SampleAsync(
            async spec =>
            {
                var outcome = await cluster.RunAsync(spec);
                runs++;
                services += outcome.Plan.Services.Length;
                addressed += outcome.Plan.Services.Count(s => !s.Ips.IsEmpty);
                announced += outcome.Plan.Services.Count(s => s.Announce is not null);
                bgpRoutes += outcome.Plan.Services.Sum(s => s.Bgp?.Nodes.Sum(n => n.Routes.Length) ?? 0);
                bgpCompared += AssertAgree(spec, outcome);
            },
            iter: Iterations,
            threads: 1,
            print: spec => "\n" + spec);
        output.WriteLine($"{runs} clusters, {services} services ({addressed} with addresses, {announced} announced), {bgpCompared} BGP node decisions compared ({bgpRoutes} planned routes) in {watch.Elapsed.TotalSeconds:F1}s; phases {string.Join(" ", cluster.Phases.Select(p => p.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))}");
    }

    /// <summary>Fails with every disagreement; returns how many BGP node decisions were compared.</summary>
    private static int AssertAgree(ClusterSpec spec, Outcome outcome)
    {
        var problems = new StringBuilder();
        var plan = outcome.Plan;
        foreach (var service in plan.Services)
        {
            var key = new ServiceKey(service.Namespace, service.Name);
            var ingress = outcome.Ingress.GetValueOrDefault(key, []);
            if (!ingress.SequenceEqual(service.Ips))
            {
                problems.Append($"{key}: plan [{string.Join(",", service.Ips)}], controller [{string.Join(",", ingress)}]\n");
            }

            var pool = outcome.PoolAnnotations.GetValueOrDefault(key);
            if (pool != service.Pool)
            {
                problems.Append($"{key}: plan pool {service.Pool ?? "-"}, controller pool {pool ?? "-"}\n");
            }

            ImmutableArray<string> planned = service.Announce is { } announce ? [announce.Node] : [];
            var announcers = outcome.Announcers.GetValueOrDefault(key, []);
            if (!announcers.SequenceEqual(planned))
            {
                problems.Append($"{key}: plan announces from [{string.Join(",", planned)}], speakers from [{string.Join(",", announcers)}]\n");
            }
        }

        var plannedKeys = plan.Services.Select(s => new ServiceKey(s.Namespace, s.Name)).ToHashSet();
        foreach (var missing in outcome.Ingress.Keys.Where(k => !plannedKeys.Contains(k)))
        {
            problems.Append($"{missing}: in the cluster, not in the plan\n");
        }

        foreach (var pool in plan.Pools)
        {
            var counts = outcome.Assigned.GetValueOrDefault(pool.Name, (-1, -1));
            if (counts.V4 != (long)pool.IPv4.Assigned || counts.V6 != (long)pool.IPv6.Assigned)
            {
                problems.Append($"pool {pool.Name}: plan {pool.IPv4.Assigned}+{pool.IPv6.Assigned}, controller {counts.V4}+{counts.V6}\n");
            }
        }

        var bgpCompared = BgpAgreement.Compare(plan, outcome.Bgp, problems);
        if (!plan.Errors.IsEmpty)
        {
            problems.Append($"the generated configuration is invalid: {string.Join("; ", plan.Errors.Select(e => $"{e.ObjectName}: {e.Message}"))}\n");
        }

        Assert.True(problems.Length == 0, $"plan and cluster disagree on\n{spec}\n{problems}");
        return bgpCompared;
    }
}
