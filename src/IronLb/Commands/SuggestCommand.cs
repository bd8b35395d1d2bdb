using System.CommandLine;
using IronLb.Cli;
using IronLb.Core.Planning;
using IronLb.Output;

namespace IronLb.Commands;

/// <summary>
/// `ironlb suggest --pool NAME PATH...`: free addresses for a new Service in a pool whose autoAssign is false,
/// printed as the annotation line to paste. The choice (lowest free IPv4, random free IPv6) is Core's.
/// </summary>
internal static class SuggestCommand
{
    public static Command Create(CliConsole console, Random random)
    {
        var paths = CommonOptions.Paths();
        var output = CommonOptions.Output();
        var families = CommonOptions.ClusterFamilies();
        var pool = new Option<string>("--pool")
        {
            Description = "The IPAddressPool to take the addresses from.",
            Required = true,
        };
        var family = new Option<string>("--family")
        {
            Description = "Which families to suggest; by default both when the pool has both.",
        };
        family.AcceptOnlyFromAmong("ipv4", "ipv6", "dual");

        var command = new Command("suggest", "Propose free addresses for a new Service in a pool and print the metallb.io/loadBalancerIPs annotation to paste.")
        {
            paths, pool, family, output, families,
        };
        command.SetAction(parse =>
        {
            var read = CommonOptions.Read(parse.GetRequiredValue(paths), CommonOptions.ParseFamilies(parse.GetValue(families))!.Value);
            if (CommonOptions.ReportFatal(read, console))
            {
                return ExitCodes.UnusableInput;
            }

            // Refused objects may hide addresses in use; say so, but a suggestion is still useful.
            foreach (var error in read.Errors)
            {
                console.Error.WriteLine($"ironlb: warning: {error}");
            }

            var input = read.Input;
            var result = ClusterPlanner.Suggest(input, parse.GetRequiredValue(pool), ParseFamily(parse.GetValue(family)), random);
            if (result.Outcome != SuggestOutcome.Ok)
            {
                console.Error.WriteLine($"ironlb: {result.Message}");
                return ExitCodes.Findings;
            }

            SuggestWriter.Write(result, parse.GetRequiredValue(output), console.Output);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static SuggestFamily ParseFamily(string? value) => value switch
    {
        "ipv4" => SuggestFamily.IPv4,
        "ipv6" => SuggestFamily.IPv6,
        "dual" => SuggestFamily.Dual,
        _ => SuggestFamily.Auto,
    };
}
