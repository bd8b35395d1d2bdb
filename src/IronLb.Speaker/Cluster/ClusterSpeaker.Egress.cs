using System.Collections.Immutable;
using System.Net.Sockets;
using IronLb.Core.Allocation;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using IronLb.Networking.Egress;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Egress;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// Egress from the Service's own address, in the evaluation that decides the announcements: the rule set built
/// from this evaluation's decisions goes to the kernel before the next evaluation can start, so when an address
/// moves, every node re-points its egress in the same step.
/// </summary>
internal sealed partial class ClusterSpeaker
{
    /// <summary>The reason egressFailed events carry.</summary>
    public const string EgressFailed = "egressFailed";

    private volatile EgressBuild _egress = EgressBuild.None;
    private ImmutableDictionary<(string Service, AddressFamily Family), EgressEntry> _egressEntries = ImmutableDictionary<(string, AddressFamily), EgressEntry>.Empty;
    private ImmutableHashSet<EgressProblem> _egressProblems = [];
    private string? _egressKernelFailure;

    /// <summary>
    /// Hands a rule set to the kernel; returns null when it is in force, else why not. Null (no egress) when the
    /// speaker runs without it (--egress=false, or tests without a kernel).
    /// </summary>
    public Func<EgressRuleSet, string?>? ProgramEgress { get; init; }

    /// <summary>Removes all of IronLB's egress state from the kernel; null when the speaker runs without egress.</summary>
    public Func<string?>? ClearEgress { get; init; }

    /// <summary>The last evaluation's egress: rule set, paths per labelled Service, problems.</summary>
    public EgressBuild Egress => _egress;

    private void UpdateEgress(SpeakerPlan plan, PlanInput cluster)
    {
        if (ProgramEgress is null)
        {
            return;
        }

        var input = _options.ServiceCidrs.IsDefaultOrEmpty
            ? cluster
            : cluster with { ServiceCidrs = [.. cluster.ServiceCidrs.Union(_options.ServiceCidrs, StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
        var build = EgressRuleSetBuilder.Build(plan, input, _options.Node, _options.EgressExclude);
        var failure = ProgramEgress(build.RuleSet);
        _egress = build;
        ReportEgress(build, failure);
    }

    /// <summary>
    /// Whether the API serves networking.k8s.io/v1 ServiceCIDRs (Kubernetes 1.33 and later); older clusters have
    /// only the --service-cidr flag. Asked once at start: a cluster upgraded underneath a running speaker is
    /// read after the speaker's next restart.
    /// </summary>
    private async Task<bool> ServesServiceCidrsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _discovery.ResourcesAsync(ResourceTypes.ServiceCidrs.Resource.GroupVersion, cancellationToken).ConfigureAwait(false)).ContainsKey("ServiceCIDR");
        }
        catch (Exception e) when (ApiFailure.Is(e, cancellationToken) || e is System.Text.Json.JsonException)
        {
            LogServiceCidrsUnknown(_logger, e);
            return false;
        }
    }

    /// <summary>
    /// At start: whatever a crashed earlier run left (its table, rules and routes) goes before anything is
    /// programmed, so state is replaced, never duplicated. At a clean stop: nothing of IronLB's stays.
    /// </summary>
    private void ClearEgressState(bool stopping)
    {
        if (ClearEgress?.Invoke() is { } failure)
        {
            LogEgressClearFailed(_logger, stopping ? "stopping" : "starting", failure);
        }

        if (stopping)
        {
            _egress = EgressBuild.None;
        }
    }

    private void ReportEgress(EgressBuild build, string? kernelFailure)
    {
        var entries = build.RuleSet.Entries.ToImmutableDictionary(e => (e.Service, e.Family));
        if (_logger.IsEnabled(LogLevel.Information))
        {
            foreach (var (key, entry) in entries)
            {
                if (!_egressEntries.TryGetValue(key, out var before) || !before.Equals(entry))
                {
                    var path = entry.Role == EgressRole.Translate ? "translated here" : $"sent to {entry.NextHop}";
                    var family = FamilyName(entry.Family);
                    var address = entry.ServiceAddress.ToString();
                    LogEgress(_logger, entry.Service, family, address, path, entry.Sources.Length);
                }
            }

            foreach (var key in _egressEntries.Keys.Where(k => !entries.ContainsKey(k)))
            {
                var family = FamilyName(key.Family);
                LogEgressRemoved(_logger, key.Service, family);
            }
        }

        _egressEntries = entries;

        var problems = build.Problems.ToImmutableHashSet();
        foreach (var problem in problems.Except(_egressProblems))
        {
            LogEgressProblem(_logger, problem.Service?.ToString() ?? _options.Node, problem.Message);
            if (problem.Service is { } service)
            {
                RecordEvent(service, "Warning", EgressFailed, problem.Message);
            }
        }

        _egressProblems = problems;

        // A node without libnftables (or NET_ADMIN) that has nothing to program is not failing anyone: say it
        // once a labelled Service needs it.
        if (build.RuleSet.IsEmpty)
        {
            kernelFailure = null;
        }

        if (kernelFailure != _egressKernelFailure)
        {
            _egressKernelFailure = kernelFailure;
            if (kernelFailure is not null)
            {
                LogEgressKernelFailed(_logger, kernelFailure);
                foreach (var service in build.RuleSet.Entries.Select(e => e.Service).Distinct(StringComparer.Ordinal))
                {
                    var parts = service.Split('/', 2);
                    RecordEvent(new ServiceKey(parts[0], parts[^1]), "Warning", EgressFailed, $"node \"{_options.Node}\" cannot program egress: {kernelFailure}");
                }
            }
        }
    }

    private static string FamilyName(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    [LoggerMessage(EventId = 194, Level = LogLevel.Warning, Message = "Cannot tell whether the API serves ServiceCIDRs; egress keeps only --service-cidr ranges inside the cluster")]
    private static partial void LogServiceCidrsUnknown(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 195, Level = LogLevel.Warning, Message = "Egress state could not be removed while {phase}: {reason}")]
    private static partial void LogEgressClearFailed(ILogger logger, string phase, string reason);

    [LoggerMessage(EventId = 190, Level = LogLevel.Information, Message = "Egress of {service} {family}: leaves as {address}, {path} ({sources} endpoint addresses)")]
    private static partial void LogEgress(ILogger logger, string service, string family, string address, string path, int sources);

    [LoggerMessage(EventId = 191, Level = LogLevel.Information, Message = "Egress of {service} {family}: nothing programmed here any more")]
    private static partial void LogEgressRemoved(ILogger logger, string service, string family);

    [LoggerMessage(EventId = 192, Level = LogLevel.Warning, Message = "Egress for {subject}: {problem}")]
    private static partial void LogEgressProblem(ILogger logger, string subject, string problem);

    [LoggerMessage(EventId = 193, Level = LogLevel.Error, Message = "Egress rules not in force on this node: {reason}")]
    private static partial void LogEgressKernelFailed(ILogger logger, string reason);
}
