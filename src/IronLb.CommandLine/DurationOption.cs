using System.CommandLine;

namespace IronLb.CommandLine;

/// <summary>The one way a command declares a duration flag: Go-style values, the default shown the same way, one rejection message.</summary>
public static class DurationOption
{
    /// <summary>A flag named <paramref name="name"/>; with <paramref name="mustBePositive"/>, 0 is rejected too, for periods and timeouts where 0 would spin or never wait.</summary>
    public static Option<Duration> Create(string name, string description, TimeSpan defaultValue, bool mustBePositive = false) => new(name)
    {
        Description = description,
        HelpName = "duration",
        // Help prints the default with ToString, so it reads "[default: 100ms]".
        DefaultValueFactory = _ => new Duration(defaultValue),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Duration.TryParse(text, out var value) && (value.TimeSpan > TimeSpan.Zero || !mustBePositive))
            {
                return value;
            }

            result.AddError(mustBePositive ? PositiveRejection(name, text) : Rejection(name, text));
            return new Duration(defaultValue);
        },
    };

    /// <summary>What every duration flag says about a value it cannot read.</summary>
    public static string Rejection(string name, string text) =>
        $"{name} takes a duration such as {Duration.Examples} (or 0), not \"{text}\".";

    /// <summary>The same for a flag that cannot be 0.</summary>
    public static string PositiveRejection(string name, string text) =>
        $"{name} takes a duration longer than 0 such as {Duration.Examples}, not \"{text}\".";
}
