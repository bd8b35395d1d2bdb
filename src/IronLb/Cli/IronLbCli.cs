using System.CommandLine;
using IronLb.CommandLine;
using IronLb.Commands;

namespace IronLb.Cli;

/// <summary>
/// The `ironlb` command tree. Each command lives in its own file under Commands/ and writes to the given
/// writers, so tests run the real command line in-process.
/// </summary>
internal static class IronLbCli
{
    public static RootCommand Create(CliConsole console, Random random, AddressProbe? probe = null, LanAddressProbe.Precheck? precheck = null) =>
        new("IronLB: a MetalLB-compatible Layer 2 load balancer for bare-metal Kubernetes.")
        {
            PlanCommand.Create(console, probe, precheck),
            SuggestCommand.Create(console, random),
            ControllerCommand.Create(console),
            StatusCommand.Create(console),
            SpeakerCommand.Create(console),
        };

    /// <summary>Runs a command line; `plan --probe` probes with the given probe after the precheck (tests pass fakes).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, Random? random = null, AddressProbe? probe = null, LanAddressProbe.Precheck? precheck = null)
    {
        var root = Create(new CliConsole(output, error), random ?? Random.Shared, probe, precheck);
        if (UsageErrors.Parse(root, "ironlb", args, error) is not { } parse)
        {
            return ExitCodes.UnusableInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Bad input never gets here (the reader reports it); this is a bug, but still no stack trace.
            error.WriteLine($"ironlb: internal error ({e.GetType().Name}): {e.Message}");
            return ExitCodes.UnusableInput;
        }
    }
}

/// <summary>Where a command writes: standard output for results, standard error for diagnostics.</summary>
internal sealed record CliConsole(TextWriter Output, TextWriter Error);
