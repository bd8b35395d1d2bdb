using System.CommandLine;

namespace IronLb.CommandLine;

/// <summary>
/// Parses a command line and reports what makes it unusable, the same way for `ironlb` and `ironlb-lab`:
/// unknown options first (by name, with a suggestion), since a mistyped flag also makes its value look like a
/// stray argument; otherwise System.CommandLine's own errors. Then where to find the usage.
/// </summary>
public static class UsageErrors
{
    /// <summary>The parse result when the command line can run; null after writing its errors to <paramref name="error"/>.</summary>
    public static ParseResult? Parse(RootCommand root, string program, IReadOnlyList<string> args, TextWriter error)
    {
        var parse = root.Parse(WithEmptyValues(args));
        var unknown = UnknownOptions.Find(parse);
        if (unknown.IsEmpty && parse.Errors.Count == 0)
        {
            return parse;
        }

        if (!unknown.IsEmpty)
        {
            foreach (var option in unknown)
            {
                error.WriteLine(option.Suggestion is null
                    ? $"{program}: unknown option {option.Name}"
                    : $"{program}: unknown option {option.Name} (did you mean {option.Suggestion}?)");
            }
        }
        else
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"{program}: {parseError.Message}");
            }
        }

        var command = string.Join(' ', CommandPath(parse.CommandResult.Command, root).Prepend(program));
        error.WriteLine($"Run '{command} --help' for usage.");
        return null;
    }

    /// <summary>
    /// `--name=` as `--name ""`: an empty value, as Go's flag package (MetalLB's) and Kubernetes manifests write it,
    /// e.g. `--metrics-address=` to turn the endpoint off. System.CommandLine would read it as a missing value.
    /// Words after `--` are arguments and stay as they are.
    /// </summary>
    internal static IReadOnlyList<string> WithEmptyValues(IReadOnlyList<string> args)
    {
        var split = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (word == "--")
            {
                split.AddRange(args.Skip(i));
                break;
            }

            if (word.Length > 3 && word.StartsWith("--", StringComparison.Ordinal) && word.IndexOf('=', StringComparison.Ordinal) == word.Length - 1)
            {
                split.Add(word[..^1]);
                split.Add("");
            }
            else
            {
                split.Add(word);
            }
        }

        return split;
    }

    /// <summary>The subcommand names from the root down to <paramref name="command"/>.</summary>
    private static Stack<string> CommandPath(Command command, RootCommand root)
    {
        var path = new Stack<string>();
        for (var c = command; c is not null && c != root; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Push(c.Name);
        }

        return path;
    }
}
