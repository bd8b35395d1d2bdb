using System.Globalization;
using IronLb.CommandLine;

namespace IronLb.Bench;

/// <summary>The command-line shape of the newer benches: `--option value` pairs, and at most one leading positional value.</summary>
internal static class BenchArguments
{
    /// <summary>
    /// Hands each option's value to its handler (false: not usable) and a leading value that is not an option to
    /// <paramref name="positional"/>; false, after saying on stderr what it cannot use, on anything else.
    /// </summary>
    public static bool TryApply(string bench, string[] args, IReadOnlyDictionary<string, Func<string, bool>> options, Func<string, bool>? positional = null)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (i == 0 && positional is not null && !args[0].StartsWith("--", StringComparison.Ordinal) && positional(args[0]))
            {
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (options.TryGetValue(args[i], out var apply) && value is not null && apply(value))
            {
                i++;
                continue;
            }

            Console.Error.WriteLine($"{bench}: cannot use {args[i]} {value} (see {bench} --help)");
            return false;
        }

        return true;
    }

    /// <summary>A whole number of at least <paramref name="minimum"/>, written plainly (no sign, no separators).</summary>
    public static bool TryCount(string text, out int value, int minimum = 1) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum;

    /// <summary>A Go-style duration (`30s`, `5m`, `1m30s`), zero or more, or above zero when <paramref name="positive"/>.</summary>
    public static bool TryDuration(string text, out TimeSpan value, bool positive = false)
    {
        value = Duration.TryParse(text, out var duration) ? duration.TimeSpan : TimeSpan.MinValue;
        return value > TimeSpan.Zero || (!positive && value == TimeSpan.Zero);
    }

    /// <summary>The `--name` option's handler: a lab or namespace name prefix (<see cref="BenchSupport.IsNamePrefix"/>).</summary>
    public static Func<string, bool> NamePrefix(Action<string> set) => value =>
    {
        if (!BenchSupport.IsNamePrefix(value))
        {
            return false;
        }

        set(value);
        return true;
    };
}
