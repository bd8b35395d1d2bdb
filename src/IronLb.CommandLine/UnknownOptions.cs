using System.Collections.Immutable;
using System.CommandLine;
using System.CommandLine.Parsing;

namespace IronLb.CommandLine;

/// <summary>A flag the command does not have, and the nearest one it does have when that looks like what was meant.</summary>
public sealed record UnknownOption(string Name, string? Suggestion);

/// <summary>
/// Finds flags a command does not have. System.CommandLine hands a token it does not know to the command's
/// arguments when it has some, so `plan PATH --outptu json` would read "--outptu" and "json" as paths; this
/// looks at every token before `--` instead: one that starts with "--" and is no option is an unknown option
/// wherever it landed, and one that starts with "-" is too unless an option took it as its value ("--nodes -1").
/// The values of a pass-through option, one named "--…-arg" (`ironlb-lab up --speaker-arg=--conflict-probes=0`),
/// are words for another program's command line: that program checks them, not this one.
/// </summary>
public static class UnknownOptions
{
    public static ImmutableArray<UnknownOption> Find(ParseResult parse)
    {
        var known = KnownNames(parse.CommandResult);
        var optionValues = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        var passedThrough = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            foreach (var option in ((CommandResult)result).Children.OfType<OptionResult>())
            {
                optionValues.UnionWith(option.Tokens);
                if (IsPassThrough(option.Option))
                {
                    passedThrough.UnionWith(option.Tokens);
                }
            }
        }

        var unknown = ImmutableArray.CreateBuilder<UnknownOption>();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Type != TokenType.Argument || token.Value.Length < 2 || token.Value[0] != '-' || passedThrough.Contains(token))
            {
                continue;
            }

            // "--outptu=json": the name is what comes before the value.
            var name = token.Value.Split('=', ':')[0];
            var looksLikeFlag = name.StartsWith("--", StringComparison.Ordinal) || !optionValues.Contains(token);
            if (looksLikeFlag && !known.Contains(name) && name != "--")
            {
                unknown.Add(new UnknownOption(name, EditDistance.Closest(name, known)));
            }
        }

        return unknown.ToImmutable();
    }

    /// <summary>An option whose values are another program's flags: named "--…-arg".</summary>
    public static bool IsPassThrough(Option option) => option.Name.StartsWith("--", StringComparison.Ordinal) && option.Name.EndsWith("-arg", StringComparison.Ordinal);

    /// <summary>Every name and alias of the options the command accepts, its own and those its parents pass down.</summary>
    private static ImmutableSortedSet<string> KnownNames(CommandResult command)
    {
        var names = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var own = true;
        for (var c = command; c is not null; c = c.Parent as CommandResult, own = false)
        {
            foreach (var option in c.Command.Options.Where(o => own || o.Recursive))
            {
                names.Add(option.Name);
                names.UnionWith(option.Aliases);
            }
        }

        return names.ToImmutable();
    }
}
