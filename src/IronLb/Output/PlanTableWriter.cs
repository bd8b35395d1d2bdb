using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using IronLb.Core.Egress;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Status;

namespace IronLb.Output;

/// <summary>The human view of a plan: pool usage, one row per Service, every warning and error, and a summary line.</summary>
internal static class PlanTableWriter
{
    public static void Write(PlanReport report, TextWriter writer)
    {
        var result = report.Result;
        WritePools(result, writer);
        writer.WriteLine();
        WriteServices(result, writer);
        PlanBgpWriter.WriteTable(result, writer);
        var warnings = report.ServiceWarnings.ToList();
        if (warnings.Count > 0 || !report.ConfigWarnings.IsEmpty)
        {
            // Configuration warnings first: like errors, they are about the pools and advertisements.
            writer.WriteLine();
            writer.WriteLine("WARNINGS");
            WriteFindings(report.ConfigWarnings, writer);
            foreach (var (location, service, e) in warnings)
            {
                writer.WriteLine($"  {(location is null ? "" : $"{location}: ")}Service {service}: {e.Reason}: {e.Message}");
            }
        }

        writer.WriteLine();
        WriteErrors(report.Errors, writer);

        if (report.Probe is { } probe)
        {
            writer.WriteLine();
            WriteProbe(probe, writer);
        }

        writer.WriteLine();
        writer.WriteLine(Summary(report));
    }

    /// <summary>Pool usage per pool and family, exact counts.</summary>
    public static void WritePools(PlanResult result, TextWriter writer)
    {
        writer.WriteLine("POOLS");
        if (result.Pools.IsEmpty)
        {
            writer.WriteLine("  (none)");
        }
        else
        {
            var pools = new TextTable("NAME", "AUTO-ASSIGN", "FAMILY", "TOTAL", "ASSIGNED", "AVAILABLE");
            foreach (var pool in result.Pools)
            {
                var first = true;
                foreach (var (family, usage) in new[] { ("IPv4", pool.IPv4), ("IPv6", pool.IPv6) })
                {
                    // A family the pool has no addresses of is noise; a pool with none at all still shows.
                    if (usage.Total.IsZero && !(first && pool.IPv6.Total.IsZero))
                    {
                        continue;
                    }

                    pools.Add(first ? pool.Name : "", first ? (pool.AutoAssign ? "true" : "false") : "", family,
                        Count(usage.Total), Count(usage.Assigned), Count(usage.Available));
                    first = false;
                }
            }

            pools.Write(writer);
        }

    }

    /// <summary>One row per Service: addresses, pool, announcing node and interfaces, first Warning.</summary>
    public static void WriteServices(PlanResult result, TextWriter writer)
    {
        writer.WriteLine("SERVICES");
        if (result.Services.IsEmpty)
        {
            writer.WriteLine("  (no LoadBalancer Services)");
        }
        else
        {
            var services = new TextTable("SERVICE", "IPS", "POOL", "NODE", "INTERFACES", "EGRESS", "WARNING");
            foreach (var service in result.Services)
            {
                var warning = service.Events.FirstOrDefault(e => e.Type == PlanReport.Warning);
                services.Add(
                    $"{service.Namespace}/{service.Name}",
                    service.Ips.IsEmpty ? "<none>" : string.Join(',', service.Ips),
                    service.Pool ?? "-",
                    service.Announce?.Node ?? "-",
                    service.Announce is null ? "-" : service.Announce.Interfaces.IsEmpty ? "(all)" : string.Join(',', service.Announce.Interfaces),
                    Egress(service.Egress),
                    warning is null ? "" : $"{warning.Reason}: {warning.Message}");
            }

            services.Write(writer);
        }
    }

    /// <summary>
    /// "-" without egress; the node when every family leaves through it; else per family ("IPv4 cwn2, IPv6 cwn3"),
    /// with "none" for a family nobody announces (its pods keep their own source until someone does).
    /// </summary>
    private static string Egress(ImmutableArray<FamilyEgress> paths)
    {
        if (paths.IsDefaultOrEmpty)
        {
            return "-";
        }

        var nodes = paths.Select(p => p.Node).Distinct().ToList();
        return nodes is [{ } node] ? $"via {node}" : string.Join(", ", paths.Select(p => $"{p.Family} {p.Node ?? "none"}"));
    }

    /// <summary>One row per speaker: configuration result, membership endpoint, where its replies come from.</summary>
    public static void WriteSpeakers(ImmutableArray<SpeakerStatus> speakers, TextWriter writer)
    {
        writer.WriteLine("SPEAKERS");
        if (speakers.IsEmpty)
        {
            writer.WriteLine("  (no speaker has reported: no ConfigurationState of component-type speaker)");
            return;
        }

        var table = new TextTable("NODE", "CONFIG", "MEMBERSHIP", "REPLIES");
        foreach (var speaker in speakers)
        {
            table.Add(speaker.Node, speaker.Config ?? "-", speaker.MembershipEndpoint ?? "-", speaker.Replies is null ? "-" : ReplyPaths.Summarize(speaker.Replies));
        }

        table.Write(writer);
    }

    /// <summary>Every configuration error, with its file when known.</summary>
    public static void WriteErrors(IReadOnlyCollection<PlanError> errors, TextWriter writer)
    {
        writer.WriteLine("ERRORS");
        if (errors.Count == 0)
        {
            writer.WriteLine("  (none)");
        }

        WriteFindings(errors, writer);
    }

    /// <summary>`plan --probe`: the planned addresses another host on the LAN already answers for, with its MACs.</summary>
    public static void WriteProbe(ProbeReport probe, TextWriter writer)
    {
        writer.WriteLine($"IN USE ON {probe.Interface}");
        var inUse = probe.InUse.ToList();
        if (inUse.Count == 0)
        {
            writer.WriteLine("  (none)");
            return;
        }

        var table = new TextTable("ADDRESS", "ANSWERED BY", "SERVICE");
        foreach (var address in inUse)
        {
            table.Add(address.Address, string.Join(',', address.Macs), string.Join(',', address.Services));
        }

        table.Write(writer);
    }

    private static void WriteFindings(IEnumerable<PlanError> findings, TextWriter writer)
    {
        foreach (var finding in findings)
        {
            var where = finding.File is null ? "" : $"{finding.File}: ";
            var what = finding.ObjectName.Length == 0 ? "" : $"{finding.ObjectName}: ";
            writer.WriteLine($"  {where}{what}{finding.Message}");
        }
    }

    private static string Summary(PlanReport report)
    {
        var read = report.Read;
        var warned = report.Result.Services.Count(s => s.Events.Any(e => e.Type == PlanReport.Warning));
        var configWarnings = report.ConfigWarnings.IsEmpty ? "" : $", {Counted.Of(report.ConfigWarnings.Length, "configuration warning")}";
        var summary =
            $"{Counted.Of(report.Result.Services.Length, "LoadBalancer service")}, {Counted.Of(report.Result.Pools.Length, "pool")}, " +
            $"{Counted.Of(read.Resources.Nodes.Length, "node")} from {Counted.Of(read.ObjectCount, "object")} in {Counted.Of(read.FileCount, "file")}; " +
            $"{Counted.Of(report.Errors.Length, "error")}{configWarnings}, {Counted.Of(warned, "service")} with warnings";
        if (report.Probe is { } probe)
        {
            summary += $"; {Counted.Of(probe.InUse.Count(), "address", "addresses")} of {probe.Addresses.Length} in use on {probe.Interface}";
        }

        if (read.IgnoredCount > 0)
        {
            var kinds = string.Join(", ", read.IgnoredKinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value}")));
            var what = read.IgnoredCount == 1 ? "object of another kind" : "objects of other kinds";
            summary += string.Create(CultureInfo.InvariantCulture, $"\nignored {read.IgnoredCount} {what}: {kinds}");
        }

        return summary;
    }

    private static string Count(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
