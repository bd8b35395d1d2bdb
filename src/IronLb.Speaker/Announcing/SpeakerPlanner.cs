using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Planning;
using IronLb.Manifests;
using IronLb.Speaker.Bgp;

namespace IronLb.Speaker.Announcing;

/// <summary>
/// Manifests to this node's announce table, without Kubernetes: first what the controller would do (the same
/// replay as `ironlb plan`, so a Service that only names its addresses in the annotation gets them, and one
/// whose status disagrees with its annotation is corrected), then MetalLB's per-Service processing and
/// election for this node (§4.1, §4.2). Pure: same input, same plan.
/// </summary>
internal static class SpeakerPlanner
{
    /// <param name="read">The manifests.</param>
    /// <param name="node">This node's name.</param>
    /// <param name="speakers">Nodes with a running speaker; empty means every Node in the manifests (MetalLB without memberlist).</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    public static SpeakerPlan Plan(ManifestReadResult read, string node, ImmutableArray<string> speakers, bool ignoreExcludeLabel = false)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentException.ThrowIfNullOrEmpty(node);

        // All or nothing: a refused object could be a pool or advertisement we would silently lose, and
        // withdrawing its addresses because of a typo is worse than keeping the last good state.
        if (!read.FatalErrors.IsEmpty || !read.Errors.IsEmpty)
        {
            return SpeakerPlan.Unusable(read.FatalErrors.Concat(read.Errors).Select(e => e.ToString()));
        }

        var parsed = ConfigParser.Parse(read.Resources);
        if (parsed.Config is not { } config)
        {
            return SpeakerPlan.Unusable(parsed.Errors.Select(e => Describe(read, e)));
        }

        var candidates = speakers.IsDefaultOrEmpty ? [.. config.Nodes.Select(n => n.Name)] : speakers;
        var byKey = read.Services.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First());
        var planned = ClusterPlanner.Plan(read.Input with { CandidateNodes = candidates });

        var views = new List<ServiceView>(planned.Services.Length);
        foreach (var service in planned.Services)
        {
            if (byKey.TryGetValue(new ServiceKey(service.Namespace, service.Name), out var view))
            {
                views.Add(view with { IngressIps = service.Ips });
            }
        }

        var plan = Decide(config, views, key => EndpointsFor(read, key, candidates), node, candidates, ignoreExcludeLabel);
        return plan with { Problems = [.. parsed.Warnings.Select(e => Describe(read, e))] };
    }

    /// <summary>
    /// The cluster mode: this speaker's LoadBalancer Services of its class, as the controller wrote them,
    /// through <see cref="Decide(LoadBalancerConfig, IEnumerable{ServiceView}, Func{ServiceKey, ServiceEndpoints}, string, ImmutableArray{string}, bool, IReadOnlySet{string}?)"/>.
    /// A Service without EndpointSlices has no endpoints here (unlike plan's assumption for manifests).
    /// </summary>
    /// <param name="config">The configuration in force (the last good one).</param>
    /// <param name="cluster">What the informers hold (<c>ClusterIngest.Input</c>).</param>
    /// <param name="loadBalancerClass">--lb-class ("" handles Services without a class).</param>
    /// <param name="node">This node.</param>
    /// <param name="speakers">The election candidates (live members).</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    /// <param name="localInterfaces">This host's usable interfaces; null when unknown.</param>
    public static SpeakerPlan Decide(
        LoadBalancerConfig config,
        PlanInput cluster,
        string loadBalancerClass,
        string node,
        ImmutableArray<string> speakers,
        bool ignoreExcludeLabel = false,
        IReadOnlySet<string>? localInterfaces = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var services = cluster.Services
            .Where(v => v.IsLoadBalancer && string.Equals(v.LoadBalancerClass ?? "", loadBalancerClass, StringComparison.Ordinal));
        return Decide(config, services, k => cluster.Endpoints.GetValueOrDefault(k) ?? ServiceEndpoints.None, node, speakers, ignoreExcludeLabel, localInterfaces);
    }

    /// <summary>
    /// MetalLB's per-Service processing and election for this node over Services as they are (the cluster
    /// mode: the controller has already written their status).
    /// </summary>
    /// <param name="config">The configuration in force (the last good one).</param>
    /// <param name="services">LoadBalancer Services of this speaker's class, with their status.</param>
    /// <param name="endpoints">A Service's endpoints.</param>
    /// <param name="node">This node.</param>
    /// <param name="speakers">The election candidates (live members).</param>
    /// <param name="ignoreExcludeLabel">--ignore-exclude-lb.</param>
    /// <param name="localInterfaces">This host's usable interfaces; null when unknown (then every named interface is assumed present).</param>
    public static SpeakerPlan Decide(
        LoadBalancerConfig config,
        IEnumerable<ServiceView> services,
        Func<ServiceKey, ServiceEndpoints> endpoints,
        string node,
        ImmutableArray<string> speakers,
        bool ignoreExcludeLabel = false,
        IReadOnlySet<string>? localInterfaces = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoints);
        var ordered = services.OrderBy(s => s.Key, ServiceKey.Ordinal).ToList();
        var decisions = ImmutableArray.CreateBuilder<ServiceDecision>();
        foreach (var view in ordered)
        {
            var decision = ServiceAnnouncement.Decide(node, view, config, endpoints(view.Key), speakers, ignoreExcludeLabel);
            var interfaces = decision.Interfaces;
            var failed = false;
            if (decision.Decision == AnnounceDecision.Announce && localInterfaces is not null && !interfaces.AllInterfaces
                && !interfaces.Interfaces.Any(localInterfaces.Contains))
            {
                // MetalLB's announceFailed: elected, but none of the advertisement's interfaces exists here.
                interfaces = InterfaceSelection.None;
                failed = true;
            }

            decisions.Add(new ServiceDecision(view.Key, decision.Decision, [.. decision.Ips.Select(ip => ip.ToString())], interfaces, decision.Winner)
            {
                InterfacesMissing = failed ? decision.Interfaces.Interfaces : [],
            });
        }

        var result = decisions.ToImmutable();
        return new SpeakerPlan
        {
            Usable = true,
            Services = result,
            Speakers = speakers,
            Table = AnnounceTableBuilder.Build(result),
            Bgp = BgpNodePlanner.Plan(config, ordered, endpoints, node, ignoreExcludeLabel),
        };
    }

    /// <summary>
    /// Manifests rarely carry EndpointSlices. A Service without any is assumed to have a ready endpoint on
    /// every speaker node, as `plan` assumes: otherwise no file-driven Service would ever be announced
    /// (MetalLB announces nothing for a Service without a serving endpoint).
    /// </summary>
    private static ServiceEndpoints EndpointsFor(ManifestReadResult read, ServiceKey key, ImmutableArray<string> candidates) =>
        read.Endpoints.TryGetValue(key, out var given)
            ? given
            : new ServiceEndpoints([.. candidates.Select(n => new EndpointView(n, Ready: true))]);

    // The line of the offending field when the manifests say where it is, as plan prints it.
    private static string Describe(ManifestReadResult read, ConfigError e) =>
        read.Locate(e.Target.Source, e.Field) is { } source ? $"{source}: {e.Target}: {e.Message}" : $"{e.Target}: {e.Message}";
}
