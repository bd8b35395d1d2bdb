using System.Collections.Immutable;
using System.CommandLine;
using IronLb.Cli;
using IronLb.Core.Planning;
using IronLb.Output;

namespace IronLb.Commands;

/// <summary>
/// `ironlb plan PATH...`: the whole cluster's allocation and announcement from manifests, with no cluster.
/// Reading is the Manifests project's job and deciding is Core's; this only wires them and prints.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(CliConsole console)
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

        var command = new Command("plan", "Show every pool's usage, every LoadBalancer Service's addresses and announcing node, and every configuration error, from manifests.")
        {
            paths, output, families, lbClass, nodes,
        };
        command.SetAction(parse => Run(
            console,
            parse.GetRequiredValue(paths),
            parse.GetRequiredValue(output),
            CommonOptions.ParseFamilies(parse.GetValue(families))!.Value,
            parse.GetValue(lbClass) ?? "",
            parse.GetValue(nodes)));
        return command;
    }

    private static int Run(CliConsole console, string[] paths, string output, ImmutableArray<string> families, string lbClass, string? nodes)
    {
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
        if (output == "json")
        {
            PlanJsonWriter.Write(report, console.Output);
        }
        else
        {
            PlanTableWriter.Write(report, console.Output);
        }

        return report.HasFindings ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
