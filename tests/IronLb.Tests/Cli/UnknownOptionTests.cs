using System.CommandLine;
using IronLb.Cli;
using IronLb.CommandLine;

namespace IronLb.Tests.Cli;

/// <summary>A flag a command does not have is reported as an unknown option, never read as a path or a stray argument.</summary>
public sealed class UnknownOptionTests
{
    /// <summary>Command line, then the one line ironlb must print about it.</summary>
    public static TheoryData<string[], string> Mistyped { get; } = new()
    {
        { ["plan", "examples/campus", "--outptu", "json"], "ironlb: unknown option --outptu (did you mean --output?)" },
        { ["plan", "examples/campus", "--outptu=json"], "ironlb: unknown option --outptu (did you mean --output?)" },
        { ["plan", "--cluster-familes", "ipv4", "examples/campus"], "ironlb: unknown option --cluster-familes (did you mean --cluster-families?)" },
        { ["plan", "examples/campus", "--frobnicate"], "ironlb: unknown option --frobnicate" },
        { ["plan", "examples/campus", "-x"], "ironlb: unknown option -x" },
        { ["suggest", "--pol", "office", "examples/campus"], "ironlb: unknown option --pol (did you mean --pool?)" },
        { ["controller", "--lease-duraton", "15s"], "ironlb: unknown option --lease-duraton (did you mean --lease-duration?)" },
        { ["controller", "--leader-elcet"], "ironlb: unknown option --leader-elcet (did you mean --leader-elect?)" },
        { ["status", "--kubeconfgi", "/nonexistent"], "ironlb: unknown option --kubeconfgi (did you mean --kubeconfig?)" },
        { ["speaker", "--node", "n1", "--hearbeat-interval", "1s"], "ironlb: unknown option --hearbeat-interval (did you mean --heartbeat-interval?)" },
        // --manifests takes several values; a mistyped flag after them is still a flag, not a path.
        { ["speaker", "--manifests", "examples/campus", "--nodse", "n1"], "ironlb: unknown option --nodse (did you mean --nodes?)" },
        { ["--verison"], "ironlb: unknown option --verison (did you mean --version?)" },
    };

    [Theory]
    [MemberData(nameof(Mistyped))]
    public void A_mistyped_flag_is_an_unknown_option_with_a_suggestion_when_one_is_close(string[] args, string expected)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(ExitCodes.UnusableInput, result.ExitCode);
        var lines = result.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal([expected, $"Run 'ironlb{(args[0].StartsWith('-') ? "" : " " + args[0])} --help' for usage."], lines);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Every_command_reports_an_unknown_option()
    {
        foreach (var command in Root().Subcommands)
        {
            var result = CliRunner.Run(command.Name, "--no-such-flag");

            Assert.Equal(ExitCodes.UnusableInput, result.ExitCode);
            Assert.StartsWith("ironlb: unknown option --no-such-flag\n", result.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
    }

    /// <summary>Dash-led tokens that are not flags: an option's value, and anything after `--`.</summary>
    public static TheoryData<string[]> NotFlags { get; } = new()
    {
        { ["plan", "--nodes", "-n1", "examples/campus"] },
        { ["plan", "examples/campus", "--", "-odd-path", "--odd-path"] },
        { ["plan", "--output=json", "examples/campus"] },
        { ["plan", "-o", "json", "examples/campus"] },
    };

    [Theory]
    [MemberData(nameof(NotFlags))]
    public void Values_and_arguments_after_the_double_dash_are_not_flags(string[] args)
    {
        using var error = new StringWriter();

        Assert.NotNull(UsageErrors.Parse(Root(), "ironlb", args, error));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void A_path_after_the_double_dash_is_read_as_a_path()
    {
        var result = CliRunner.Run("plan", "--", "--no-such-folder");

        Assert.Equal(ExitCodes.UnusableInput, result.ExitCode);
        Assert.Contains("--no-such-folder: no such file or folder", result.Error, StringComparison.Ordinal);
    }

    private static RootCommand Root() => IronLbCli.Create(new CliConsole(TextWriter.Null, TextWriter.Null), new Random(1));
}
