using System.Collections.Immutable;
using System.Numerics;
using System.Text.Json;
using IronLb.Core.Addressing;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using IronLb.Core.Egress;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;
using k8s.Models;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// The live version of the campus table, read from a cluster: every LoadBalancer Service with its
/// addresses, pool, announcing node and interfaces (from ServiceL2Status), an address conflict a speaker reports
/// there, its last Warning, and exact per-pool usage. It has the shape of a plan, so both print the same way.
/// </summary>
public static class ClusterStatusReader
{
    /// <summary>A Service with addresses that no speaker reports announcing.</summary>
    public const string NotAnnounced = "NotAnnounced";

    /// <summary>ServiceL2Status objects of more than one node for one Service.</summary>
    public const string MoreThanOneAnnouncer = "MoreThanOneAnnouncer";

    /// <summary>Another host on the LAN uses the Service's address: a speaker's AddressConflict condition is True.</summary>
    public const string AddressConflict = ServiceL2Conditions.AddressConflict;

    public static async Task<ClusterStatus> ReadAsync(KubeConnection connection, string ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var services = await ListAsync(connection, ResourceTypes.Services, cancellationToken).ConfigureAwait(false);
        var pools = await ListAsync(connection, ResourceTypes.IpAddressPools(ns), cancellationToken).ConfigureAwait(false);
        var namespaces = await ListAsync(connection, ResourceTypes.Namespaces, cancellationToken).ConfigureAwait(false);
        var l2 = await ListAsync(connection, ResourceTypes.ServiceL2Statuses(ns), cancellationToken).ConfigureAwait(false);
        List<Crds.ConfigurationStateObject> states;
        try
        {
            states = await ListAsync(connection, ResourceTypes.ConfigurationStates(ns), cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.Status == System.Net.HttpStatusCode.Forbidden)
        {
            // Only the announcer check needs them; a kubeconfig without that permission still gets the table.
            states = [];
        }

        // Only a cluster whose speakers report (their ConfigurationStates) can be told an address is unannounced.
        var speakers = Speakers(states);
        var speakersRun = !speakers.IsEmpty;
        var events = (await new ResourceClient<Corev1Event>(connection, ResourceTypes.Events)
            .ListAsync(null, null, "involvedObject.kind=Service", cancellationToken).ConfigureAwait(false)).Items;

        var parsed = ConfigParser.Parse(ClusterIngest.Resources(ns, pools, namespaces: namespaces));
        var config = parsed.Partial;

        var announcers = l2
            .Where(s => s.Status?.ServiceName is not null)
            .GroupBy(s => (s.Status!.ServiceNamespace ?? "", s.Status.ServiceName!))
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList());
        var lastWarning = events
            .Where(e => e.Type == "Warning" && e.InvolvedObject?.Name is not null)
            .GroupBy(e => (e.InvolvedObject.NamespaceProperty ?? "", e.InvolvedObject.Name))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp).First());

        var rows = ImmutableArray.CreateBuilder<ServicePlan>();
        var used = new Dictionary<string, HashSet<Address>>(StringComparer.Ordinal);
        foreach (var view in ClusterIngest.Services(services).Where(v => v.IsLoadBalancer))
        {
            var ips = view.IngressIps.Where(ip => ip.Length > 0).ToImmutableArray();
            var pool = view.Annotations.GetValueOrDefault(ServiceAnnotations.IpAllocatedFromPool);
            foreach (var ip in ips)
            {
                if (Address.TryParse(ip, out var address) && config.Pools.FirstOrDefault(p => p.Contains(address)) is { } owner)
                {
                    (used.TryGetValue(owner.Name, out var set) ? set : used[owner.Name] = []).Add(address);
                }
            }

            AnnounceInfo? announce = null;
            var warnings = ImmutableArray.CreateBuilder<PlannedEvent>();
            if (announcers.TryGetValue((view.Key.Namespace, view.Key.Name), out var statuses))
            {
                var status = statuses[0].Status!;
                announce = new AnnounceInfo(status.Node ?? "", [.. (status.Interfaces ?? []).Select(i => i.Name ?? "")]);

                // First, because the table shows a row's first warning: traffic for the address may reach another host.
                foreach (var message in Conflicts(statuses))
                {
                    warnings.Add(new PlannedEvent("Warning", AddressConflict, message));
                }

                var nodes = statuses.Select(s => s.Status!.Node ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (nodes.Count > 1)
                {
                    warnings.Add(new PlannedEvent("Warning", MoreThanOneAnnouncer, $"announced by {string.Join(" and ", nodes)}: each answers ARP/NDP for its addresses"));
                }
            }
            else if (!ips.IsEmpty && speakersRun)
            {
                // What the campus table's "who announces" column cannot show by hand: an address nobody answers for.
                warnings.Add(new PlannedEvent("Warning", NotAnnounced, "no speaker announces it (no ServiceL2Status): no ready endpoint, no matching L2Advertisement for a live node, or the advertisement's interfaces are missing on the elected node"));
            }

            // The speaker's conflict event usually says what its condition says; once is enough.
            if (lastWarning.TryGetValue((view.Key.Namespace, view.Key.Name), out var warning)
                && !warnings.Any(w => w.Reason == AddressConflict && w.Message == (warning.Message ?? "")))
            {
                warnings.Add(new PlannedEvent("Warning", warning.Reason ?? "", warning.Message ?? ""));
            }

            rows.Add(new ServicePlan(view.Key.Namespace, view.Key.Name, ips, pool, announce, warnings.ToImmutable())
            {
                // The announcing node translates, and the others send to it: egress leaves where ServiceL2Status says.
                Egress = EgressSelection.IsRequested(view) ? EgressSelection.Paths(ips, announce?.Node) : [],
            });
        }

        var usage = config.Pools.Select(p =>
        {
            var set = used.GetValueOrDefault(p.Name) ?? [];
            return new PoolUsage(p.Name, p.AutoAssign, Family(p, IpFamily.IPv4, set), Family(p, IpFamily.IPv6, set));
        }).ToImmutableArray();
        var errors = parsed.Errors.Select(e => new PlanError(null, e.Target.ToString(), e.Message))
            .Concat(Rejections(states, ns))
            .ToImmutableArray();
        var configWarnings = parsed.Warnings.Select(e => new PlanError(null, e.Target.ToString(), e.Message)).ToImmutableArray();
        return new ClusterStatus(new PlanResult(usage, rows.ToImmutable(), errors) { Warnings = configWarnings }, speakers);
    }

    /// <summary>The messages of the True AddressConflict conditions on a Service's ServiceL2Status objects, each once.</summary>
    private static IEnumerable<string> Conflicts(List<Crds.ServiceL2StatusObject> statuses) =>
        statuses
            .SelectMany(s => s.Status?.Conditions ?? [])
            .Where(c => c.Type == ServiceL2Conditions.AddressConflict && c.Status == "True")
            .Select(c => c.Message ?? "")
            .Distinct(StringComparer.Ordinal);

    /// <summary>
    /// A controller or speaker that reports its configuration Invalid keeps running on its last good one, so
    /// a change it refused (an L2Advertisement's node selector, say) silently does nothing; say so.
    /// </summary>
    private static IEnumerable<PlanError> Rejections(List<Crds.ConfigurationStateObject> states, string ns) =>
        states.Where(s => s.Status?.Result == "Invalid")
            .OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .Select(s => new PlanError(null, $"ConfigurationState {ns}/{s.Metadata.Name}",
                $"the {Get(s.Metadata.Labels, Crds.MetalLbLabels.ComponentType) ?? "component"} rejects the current configuration and runs on its last valid one, if any: {s.Status!.ErrorSummary ?? "(no summary)"}"));

    /// <summary>Every speaker's ConfigurationState: its node, configuration result and IronLB's annotations.</summary>
    private static ImmutableArray<SpeakerStatus> Speakers(List<Crds.ConfigurationStateObject> states) =>
    [
        .. states
            .Where(s => Get(s.Metadata.Labels, Crds.MetalLbLabels.ComponentType) == "speaker")
            .Select(s => new SpeakerStatus(
                Get(s.Metadata.Labels, Crds.MetalLbLabels.NodeName) ?? s.Metadata.Name,
                s.Status?.Result,
                Get(s.Metadata.Annotations, Crds.IronLbAnnotations.MembershipEndpoint),
                Get(s.Metadata.Annotations, Crds.IronLbAnnotations.Layer2Replies))
            {
                BgpSessions = Get(s.Metadata.Annotations, Crds.IronLbAnnotations.BgpSessions),
            })
            .OrderBy(s => s.Node, StringComparer.Ordinal),
    ];

    private static string? Get(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static FamilyUsage Family(AddressPool pool, IpFamily family, HashSet<Address> used)
    {
        var total = pool.Capacity(family);
        BigInteger assigned = used.Count(a => a.Family == family);
        return new FamilyUsage(total, assigned, total - assigned);
    }

    private static async Task<List<T>> ListAsync<T>(KubeConnection connection, ResourceType<T> type, CancellationToken cancellationToken)
        where T : class
    {
        string text;
        try
        {
            text = await connection.GetAsync(type.ListPath, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // A cluster without a CRD (no ServiceL2Status before the speakers run) simply has none.
            return [];
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.TryGetProperty("items", out var items)
            ? [.. items.EnumerateArray().Select(i => type.Parse(i.GetRawText()))]
            : [];
    }
}

/// <summary>What `ironlb status` reads: the plan-shaped table and the speakers.</summary>
public sealed record ClusterStatus(PlanResult Plan, ImmutableArray<SpeakerStatus> Speakers);

/// <summary>A speaker as its ConfigurationState reports it; the annotations are null on a MetalLB speaker.</summary>
/// <param name="Node">Its node.</param>
/// <param name="Config">"Valid" or "Invalid"; null before its first status write.</param>
/// <param name="MembershipEndpoint">Where it hears heartbeats.</param>
/// <param name="Replies">Where its ARP and NDP replies come from (<see cref="ReplyPaths.Format"/>).</param>
public sealed record SpeakerStatus(string Node, string? Config, string? MembershipEndpoint, string? Replies)
{
    /// <summary>Its BGP sessions as it reports them (<see cref="BgpSessionReports.Format"/>); null when it runs no BGP.</summary>
    public string? BgpSessions { get; init; }
}
