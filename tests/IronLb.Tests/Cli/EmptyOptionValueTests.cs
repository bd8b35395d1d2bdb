using System.CommandLine;
using IronLb.CommandLine;

namespace IronLb.Tests.Cli;

/// <summary>`--name=` is an empty value, as manifests written for MetalLB's Go flags say it, not a missing one.</summary>
public sealed class EmptyOptionValueTests
{
    /// <summary>Command line, then the value --metrics-address parses to and the one argument.</summary>
    public static TheoryData<string[], string, string?> Rows { get; } = new()
    {
        { ["--metrics-address="], "", null },
        { ["--metrics-address", ""], "", null },
        { ["--metrics-address=:7472"], ":7472", null },
        { ["--metrics-address=", "file"], "", "file" },
        // After `--` every word is an argument, even one that looks like an option.
        { ["--metrics-address=:1", "--", "--x="], ":1", "--x=" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void An_option_with_nothing_after_its_equals_sign_has_the_empty_value(string[] args, string address, string? argument)
    {
        var metrics = new Option<string>("--metrics-address");
        var file = new Argument<string?>("file") { Arity = ArgumentArity.ZeroOrOne };
        var root = new RootCommand { metrics, file };
        var error = new StringWriter();

        var parse = UsageErrors.Parse(root, "t", args, error);

        Assert.True(parse is not null, error.ToString());
        Assert.Equal(address, parse.GetValue(metrics));
        Assert.Equal(argument, parse.GetValue(file));
    }

    [Fact]
    public void A_flag_given_an_empty_value_is_still_a_usage_error()
    {
        var flag = new Option<bool>("--leader-elect");
        var error = new StringWriter();

        Assert.Null(UsageErrors.Parse(new RootCommand { flag }, "t", ["--leader-elect="], error));
        Assert.Contains("Run 't --help' for usage.", error.ToString(), StringComparison.Ordinal);
    }
}
