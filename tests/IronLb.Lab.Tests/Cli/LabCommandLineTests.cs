using System.Text.RegularExpressions;
using IronLb.CommandLine;
using IronLb.Lab.Commands;
using IronLb.Lab.Operations;

namespace IronLb.Lab.Tests.Cli;

/// <summary>
/// `ironlb-lab` reads flags as `ironlb` does: unknown options by name with a suggestion, durations in Go's form.
/// Every case here is refused while parsing, so nothing runs and no root is needed.
/// </summary>
public sealed class LabCommandLineTests
{
    public static TheoryData<string[], string> Mistyped { get; } = new()
    {
        { ["up", "--nmae", "t1"], "ironlb-lab: unknown option --nmae (did you mean --name?)" },
        { ["up", "--name", "t1", "--nodse", "2"], "ironlb-lab: unknown option --nodse (did you mean --nodes?)" },
        { ["down", "--name", "t1", "--keep-log"], "ironlb-lab: unknown option --keep-log (did you mean --keep-logs?)" },
        { ["status", "--name", "t1", "--outptu", "json"], "ironlb-lab: unknown option --outptu (did you mean --output?)" },
        { ["kill-speaker", "--name", "t1", "--nod", "n1"], "ironlb-lab: unknown option --nod (did you mean --node?)" },
        { ["restart-controller", "--name", "t1", "--force"], "ironlb-lab: unknown option --force" },
        { ["apiserver", "--kubeconfig-out", "k", "--relya", "x"], "ironlb-lab: unknown option --relya (did you mean --relay?)" },
    };

    [Theory]
    [MemberData(nameof(Mistyped))]
    public async Task A_mistyped_flag_is_an_unknown_option(string[] args, string expected)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal(LabExit.Usage, code);
        Assert.Equal([expected, $"Run 'ironlb-lab {args[0]} --help' for usage."], error.TrimEnd('\n').Split('\n'));
        Assert.Empty(output);
    }

    [Fact]
    public void Speaker_args_are_repeatable_words_that_may_start_with_dashes()
    {
        var up = LabCommandLine.Create().Subcommands.Single(c => c.Name == "up");
        var parse = LabCommandLine.Create().Parse(["up", "--name", "t1", "--speaker-arg=--conflict-probes=0", "--speaker-arg=--metrics-address=:7472"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["--conflict-probes=0", "--metrics-address=:7472"], parse.GetValue<string[]>("--speaker-arg")!);
        Assert.Contains(up.Options, o => o.Name == "--speaker-arg");
    }

    [Fact]
    public void Speaker_args_are_the_speakers_flags_not_unknown_options_of_up_but_a_mistyped_flag_beside_them_is()
    {
        using var error = new StringWriter();
        Assert.NotNull(UsageErrors.Parse(LabCommandLine.Create(), "ironlb-lab", ["up", "--name", "t1", "--speaker-arg=--conflict-probes=0", "--speaker-arg=--metrics-address=:7472"], error));
        Assert.Empty(error.ToString());

        Assert.Null(UsageErrors.Parse(LabCommandLine.Create(), "ironlb-lab", ["up", "--name", "t1", "--speaker-arg=--conflict-probes=0", "--nodse", "2"], error));
        Assert.StartsWith("ironlb-lab: unknown option --nodse (did you mean --nodes?)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_add_takes_a_lan_of_the_clients_and_repeated_addresses()
    {
        var parse = LabCommandLine.Create().Parse(["host", "add", "rogue", "--name", "t1", "--lan", "external", "--address", "192.0.2.190", "--address", "2001:db8:3a::190"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["192.0.2.190", "2001:db8:3a::190"], parse.GetValue<string[]>("--address")!);

        Assert.NotEmpty(LabCommandLine.Create().Parse(["host", "add", "rogue", "--name", "t1", "--lan", "management"]).Errors);
        Assert.NotEmpty(LabCommandLine.Create().Parse(["host", "add", "Rogue-1", "--name", "t1", "--lan", "office"]).Errors);
    }

    [Fact]
    public async Task Every_command_reports_an_unknown_option()
    {
        foreach (var command in LabCommandLine.Create().Subcommands)
        {
            var (code, _, error) = await RunAsync([command.Name, "--no-such-flag"]);

            Assert.Equal(LabExit.Usage, code);
            Assert.StartsWith("ironlb-lab: unknown option --no-such-flag\n", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void No_flag_takes_a_TimeSpan_or_a_bare_number_of_seconds()
    {
        var options = LabCommandLine.Create().Subcommands.SelectMany(c => c.Options).ToList();

        Assert.DoesNotContain(options, o => o.ValueType == typeof(TimeSpan));
        Assert.DoesNotContain(options, o => o.Description?.Contains("Seconds", StringComparison.OrdinalIgnoreCase) == true);
        Assert.Equal(["--wait"], options.Where(o => o.ValueType == typeof(Duration)).Select(o => o.Name));
    }

    [Fact]
    public async Task Wait_shows_its_default_as_a_duration()
    {
        var (code, output, _) = await RunAsync(["up", "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("--wait <duration>", output, StringComparison.Ordinal);
        Assert.Contains("[default: 1m30s]", Regex.Replace(output, @"\s+", " "), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90")]
    [InlineData("0")]
    [InlineData("00:01:30")]
    [InlineData("-5s")]
    public async Task Wait_refuses_anything_but_a_positive_Go_duration(string text)
    {
        var (code, _, error) = await RunAsync(["up", "--name", "t1", "--wait", text]);

        Assert.Equal(LabExit.Usage, code);
        Assert.StartsWith($"ironlb-lab: {DurationOption.PositiveRejection("--wait", text)}\n", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LabCommandLine.RunAsync(args, output, error);
        return (code, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }
}
