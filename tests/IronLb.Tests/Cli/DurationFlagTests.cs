using System.CommandLine;
using System.Text.RegularExpressions;
using IronLb.Cli;
using IronLb.CommandLine;

namespace IronLb.Tests.Cli;

/// <summary>Every duration flag of `ironlb`: Go-style values, the default shown that way in --help, one rejection message.</summary>
public sealed class DurationFlagTests
{
    /// <summary>Every duration flag there is (the inventory test keeps this list whole): command, flag, default as help shows it, whether 0 is refused.</summary>
    public static TheoryData<string, string, string, bool> Flags { get; } = new()
    {
        { "controller", "--lease-duration", "15s", true },
        { "controller", "--renew-deadline", "10s", true },
        { "controller", "--retry-period", "2s", true },
        { "controller", "--pool-removal-grace", "30s", false },
        { "controller", "--renew-attempt-timeout", "5s", true },
        { "controller", "--write-timeout", "4s", true },
        { "controller", "--request-timeout", "10s", true },
        { "controller", "--watch-idle-timeout", "1m30s", true },
        { "controller", "--relist-interval", "10m", true },
        { "speaker", "--burst", "5s", false },
        { "speaker", "--refresh", "0s", false },
        { "speaker", "--reload-interval", "10s", false },
        { "speaker", "--heartbeat-interval", "100ms", true },
        { "speaker", "--liveness-window", "300ms", true },
        { "speaker", "--conflict-probe-interval", "200ms", true },
        { "speaker", "--conflict-probe-wait", "400ms", true },
        { "speaker", "--conflict-retry-max", "16s", true },
        { "speaker", "--conflict-defend-interval", "10s", true },
    };

    public static TheoryData<string> NotDurations { get; } = ["00:00:00.2", "00:00:15", "15", "-1s", "1.5", "soon", ""];

    [Fact]
    public void The_table_holds_every_duration_flag_and_no_flag_takes_a_TimeSpan()
    {
        var options = Root().Subcommands.SelectMany(c => c.Options.Select(o => (Command: c.Name, Option: o))).ToList();

        Assert.Empty(options.Where(o => o.Option.ValueType == typeof(TimeSpan)).Select(o => $"{o.Command} {o.Option.Name}"));
        Assert.Equal(
            Flags.Select(row => $"{row.Data.Item1} {row.Data.Item2}").Order(StringComparer.Ordinal),
            options.Where(o => o.Option.ValueType == typeof(Duration)).Select(o => $"{o.Command} {o.Option.Name}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void Help_shows_the_default_as_a_duration(string command, string flag, string shown, bool positive)
    {
        _ = positive;
        var result = CliRunner.Run(command, "--help");

        Assert.Equal(0, result.ExitCode);
        // Help wraps long descriptions; one space per gap keeps "[default: 15s]" whole wherever it broke.
        var help = Regex.Replace(result.Output, @"\s+", " ");
        var at = help.IndexOf($"{flag} <duration>", StringComparison.Ordinal);
        Assert.True(at >= 0, help);
        var defaultAt = help.IndexOf("[default: ", at, StringComparison.Ordinal);
        Assert.Equal($"[default: {shown}]", help[defaultAt..(help.IndexOf(']', defaultAt) + 1)]);
        Assert.DoesNotContain("00:00:", help, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void A_Go_duration_is_taken(string command, string flag, string shown, bool positive)
    {
        _ = (shown, positive);
        using var error = new StringWriter();

        var parse = UsageErrors.Parse(Root(), "ironlb", [command, flag, "1h30m"], error);

        Assert.True(parse is not null, error.ToString());
        Assert.Equal(TimeSpan.FromMinutes(90), parse.GetValue<Duration>(flag).TimeSpan);
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void Any_other_form_is_refused_with_one_message_naming_the_flag(string command, string flag, string shown, bool positive)
    {
        _ = shown;
        foreach (var text in NotDurations.Select(row => row.Data))
        {
            var result = CliRunner.Run(command, flag, text);

            Assert.Equal(ExitCodes.UnusableInput, result.ExitCode);
            var expected = positive ? DurationOption.PositiveRejection(flag, text) : DurationOption.Rejection(flag, text);
            Assert.Equal($"ironlb: {expected}\nRun 'ironlb {command} --help' for usage.\n", result.Error.ReplaceLineEndings("\n"));
        }
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void Zero_is_refused_only_where_it_cannot_mean_anything(string command, string flag, string shown, bool positive)
    {
        _ = shown;
        using var error = new StringWriter();

        var parse = UsageErrors.Parse(Root(), "ironlb", [command, flag, "0"], error);

        Assert.Equal(positive, parse is null);
        Assert.Equal(positive ? $"ironlb: {DurationOption.PositiveRejection(flag, "0")}" : "", error.ToString().Split('\n')[0].TrimEnd());
    }

    private static RootCommand Root() => IronLbCli.Create(new CliConsole(TextWriter.Null, TextWriter.Null), new Random(1));
}
