using System.Collections.Immutable;
using System.Globalization;
using IronLb.Membership.Simulation;

namespace IronLb.Bench;

/// <summary>The options of `membership-scale`, parsed collect-all: every bad argument is reported, none throws.</summary>
internal sealed record MembershipScaleOptions
{
    public static readonly string[] Help =
    [
        "--sizes LIST        simulated cluster sizes, comma-separated, or none (default 4,16,50,100,200,500)",
        "--udp LIST          real-UDP v2 endpoint counts on loopback, comma-separated, or none (default 100)",
        "--kills N           endpoints killed one at a time in each real-UDP run (default 5)",
        "--seconds N         simulated seconds of steady traffic, and again of 5% loss; real-UDP steady seconds (default 10)",
        "--crashes N         crashes per size, each followed by a restart and 2 s to settle (default 20)",
        "--seed N            seed of the whole run: the same seed prints the same traffic and detection (default 1)",
        "--protocol NAME     v1, v2 or all (default all); v1 is today's protocol, the baseline; v2 the ring (membership-v2.md)",
        "--wall-limit S      run a size only when its run is estimated under S seconds (CPU time of a one-second probe,",
        "                    the wall time on an idle core); larger sizes are extrapolated from the protocol's cost",
        "                    model, where it has one, and marked so (default 60)",
    ];

    public ImmutableArray<int> Sizes { get; init; } = [4, 16, 50, 100, 200, 500];

    public ImmutableArray<int> UdpSizes { get; init; } = [100];

    public int Kills { get; init; } = 5;

    public int Seconds { get; init; } = 10;

    public int Crashes { get; init; } = 20;

    public int Seed { get; init; } = 1;

    public ImmutableArray<ProtocolFactory> Protocols { get; init; } = [.. MembershipProtocols.All];

    public double WallLimitSeconds { get; init; } = 60;

    public static (MembershipScaleOptions? Options, IReadOnlyList<string> Errors) Parse(string[] args)
    {
        var options = new MembershipScaleOptions();
        var errors = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--sizes" or "--udp" or "--kills" or "--seconds" or "--crashes" or "--seed" or "--wall-limit" or "--protocol"))
            {
                errors.Add($"unknown option {name}");
                continue;
            }

            var value = i + 1 < args.Length ? args[++i] : null;
            if (value is null)
            {
                errors.Add($"{name} needs a value");
                break;
            }

            switch (name)
            {
                case "--sizes":
                    options = options with { Sizes = ParseSizes(name, value, errors) };
                    break;
                case "--udp":
                    options = options with { UdpSizes = ParseSizes(name, value, errors) };
                    break;
                case "--kills":
                    options = options with { Kills = Positive(name, value, errors) };
                    break;
                case "--seconds":
                    options = options with { Seconds = Positive(name, value, errors) };
                    break;
                case "--crashes":
                    options = options with { Crashes = Positive(name, value, errors) };
                    break;
                case "--seed":
                    options = options with { Seed = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed : Invalid(name, value, errors) };
                    break;
                case "--wall-limit":
                    options = options with { WallLimitSeconds = Positive(name, value, errors) };
                    break;
                case "--protocol":
                    if (value == "all")
                    {
                        options = options with { Protocols = [.. MembershipProtocols.All] };
                    }
                    else if (MembershipProtocols.Find(value) is { } protocol)
                    {
                        options = options with { Protocols = [protocol] };
                    }
                    else
                    {
                        errors.Add($"--protocol {value}: expected all or one of {string.Join(", ", MembershipProtocols.All.Select(p => p.Name))}");
                    }

                    break;
            }
        }

        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    private static ImmutableArray<int> ParseSizes(string name, string value, List<string> errors)
    {
        if (value == "none")
        {
            return [];
        }

        var parsed = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 ? n : -1).ToArray();
        if (parsed.Length == 0 || parsed.Contains(-1))
        {
            errors.Add($"{name} {value}: expected none or sizes of at least 2, comma-separated");
            return [];
        }

        return [.. parsed.Distinct().Order()];
    }

    private static int Positive(string name, string value, List<string> errors) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : Invalid(name, value, errors);

    private static int Invalid(string name, string value, List<string> errors)
    {
        errors.Add($"{name} {value}: expected a whole number{(name == "--seed" ? "" : " above 0")}");
        return 0;
    }
}
