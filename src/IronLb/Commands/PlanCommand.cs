using System.Collections.Immutable;
using System.CommandLine;
using IronLb.Cli;
using IronLb.Core.Planning;
using IronLb.Networking.Packets;
using IronLb.Output;

namespace IronLb.Commands;

/// <summary>
/// `ironlb plan PATH...`: the whole cluster's allocation and announcement from manifests, with no cluster.
/// Reading is the Manifests project's job and deciding is Core's; this only wires them and prints.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(CliConsole console, AddressProbe? probe = null, LanAddressProbe.Precheck? precheck = null)
    {
        var paths = CommonOptions.Paths();
        var output = CommonOptions.Output();
        var families = CommonOptions.ClusterFamilies();
        var lbClass = new Option<string>("--lb-class")
        {
            Description = "The spec.loadBalancerClass this instance handles (MetalLB's --lb-class); unset handles Services without a class.",
        };
        var nodes = new Option<string>("--nodes")
        {
            Description = "Election candidates, comma-separated; by default the Nodes in the input.",
        };

        var probeOn = new Option<string?>("--probe")
        {
            Description = "After planning, ask the LAN on this interface (root) whether another host already uses an address the plan gives a Service; exit 1 if one does.",
            HelpName = "interface",
        };

        var trustMacs = new Option<string[]>("--trust-mac")
        {
            Description = "With --probe: a MAC of the cluster's own nodes (repeatable or comma-separated; the speakers publish theirs on their Leases as ironlb.io/macs). Their answers are the cluster announcing its own addresses, not a conflict.",
            HelpName = "mac",
        };

        var command = new Command("plan", "Show every pool's usage, every LoadBalancer Service's addresses and announcing node, and every configuration error, from manifests.")
        {
            paths, output, families, lbClass, nodes, probeOn, trustMacs,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            console,
            parse.GetRequiredValue(paths),
            parse.GetRequiredValue(output),
            CommonOptions.ParseFamilies(parse.GetValue(families))!.Value,
            parse.GetValue(lbClass) ?? "",
            parse.GetValue(nodes),
            parse.GetValue(probeOn) is { } iface ? new ProbeRequest(iface, probe ?? LanAddressProbe.Default, precheck ?? LanAddressProbe.Machine, parse.GetValue(trustMacs) ?? []) : null,
            cancellationToken));
        return command;
    }

    private sealed record ProbeRequest(string Interface, AddressProbe Probe, LanAddressProbe.Precheck Precheck, string[] TrustedMacs);

    private static async Task<int> RunAsync(CliConsole console, string[] paths, string output, ImmutableArray<string> families, string lbClass, string? nodes,
        ProbeRequest? probe, CancellationToken cancellationToken)
    {
        var trusted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in (probe?.TrustedMacs ?? []).SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!MacAddress.TryParse(text, out var mac))
            {
                await console.Error.WriteLineAsync($"ironlb: plan: --trust-mac takes a MAC such as 02:42:ac:11:00:02, not \"{text}\"").ConfigureAwait(false);
                return ExitCodes.UnusableInput;
            }

            trusted.Add(mac.ToString());
        }

        if (probe is not null && probe.Precheck(probe.Interface) is { } cannot)
        {
            await console.Error.WriteLineAsync($"ironlb: plan: {cannot}").ConfigureAwait(false);
            return ExitCodes.UnusableInput;
        }

        var read = CommonOptions.Read(paths, families);
        if (CommonOptions.ReportFatal(read, console))
        {
            return ExitCodes.UnusableInput;
        }

        var result = ClusterPlanner.Plan(read.Input with
        {
            CandidateNodes = [.. (nodes ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            LoadBalancerClass = lbClass,
        });
        var report = PlanReport.Create(read, result);
        if (probe is not null)
        {
            // After planning, so exactly the addresses this plan would hand out are probed, and nothing else.
            var outcomes = await probe.Probe(probe.Interface, ProbeReport.AddressesOf(result), cancellationToken).ConfigureAwait(false);
            report = report with { Probe = ProbeReport.Create(probe.Interface, result, outcomes, trusted) };
            if (report.Probe.Errors.ToList() is { Count: > 0 } errors)
            {
                foreach (var error in errors)
                {
                    await console.Error.WriteLineAsync($"ironlb: plan: --probe {probe.Interface}: {error}").ConfigureAwait(false);
                }

                return ExitCodes.UnusableInput;
            }
        }

        if (output == "json")
        {
            PlanJsonWriter.Write(report, console.Output);
        }
        else
        {
            PlanTableWriter.Write(report, console.Output);
        }

        return report.HasFindings || report.Probe?.InUse.Any() == true ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
