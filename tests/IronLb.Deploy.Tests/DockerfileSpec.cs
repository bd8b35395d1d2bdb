using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IronLb.Deploy.Tests;

/// <summary>A build-stage <c>COPY</c> from the build context: context paths into a folder under the stage's WORKDIR.</summary>
internal sealed record ContextCopy(ImmutableArray<string> Sources, string Destination);

/// <summary>A final-stage <c>COPY --from=build</c>: a path the publish wrote into a path in the image.</summary>
internal sealed record ImageCopy(string Source, string Destination);

/// <summary>
/// What deploy/Dockerfile says about building and running the image, read from the file so the image test
/// follows it when it changes. Only the forms the Dockerfile uses are understood; anything else is an
/// <see cref="InvalidDataException"/> naming what to teach this parser, never a silent guess.
/// </summary>
internal sealed partial record DockerfileSpec(
    string BuildWorkdir,
    ImmutableArray<ContextCopy> ContextCopies,
    string PublishLine,
    ImmutableArray<string> PublishWords,
    int OutputWord,
    string PublishOutput,
    ImmutableArray<ImageCopy> ImageCopies,
    ImmutableArray<string> Entrypoint,
    int Uid,
    int Gid,
    ImmutableArray<KeyValuePair<string, string>> Env)
{
    /// <summary>BuildKit's TARGETARCH for this machine, which the Dockerfile's case statement maps to a RID.</summary>
    public static string TargetArch => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The publish command's arguments after <c>dotnet</c>, writing into <paramref name="output"/> instead of the image's folder.</summary>
    public IReadOnlyList<string> PublishArguments(string output) =>
        [.. PublishWords.Skip(1).Select((w, i) => i + 1 == OutputWord ? output : w)];

    public static DockerfileSpec Parse(string text, string targetArch)
    {
        var stages = Stages(Instructions(text));
        var (buildStage, run) = stages
            .SelectMany(s => s.Instructions.Where(i => i.Keyword == "RUN" && PublishPattern().IsMatch(i.Args)).Select(i => (s, i.Args)))
            .FirstOrDefault();
        if (run is null)
        {
            throw new InvalidDataException("deploy/Dockerfile has no RUN step with `dotnet publish`; the image test runs that step's publish command");
        }

        var publishLine = Command(run, PublishPattern().Match(run).Index);
        var rids = CaseAssignments(run, targetArch);
        var words = Words(publishLine).Select(w => Expand(w, rids, targetArch)).ToImmutableArray();
        var outputWord = words.IndexOf("-o") is >= 0 and var o ? o + 1 : words.IndexOf("--output") is >= 0 and var l ? l + 1 : -1;
        if (outputWord <= 0 || outputWord >= words.Length)
        {
            throw new InvalidDataException($"the publish line has no `-o <folder>`/`--output <folder>`, so the test cannot tell what the image copies: {publishLine}");
        }

        var output = words[outputWord].TrimEnd('/');
        var workdir = buildStage!.Instructions.LastOrDefault(i => i.Keyword == "WORKDIR")?.Args ?? "/";
        var contextCopies = buildStage.Instructions
            .Where(i => i.Keyword == "COPY")
            .Select(i => ContextCopyOf(i.Args))
            .ToImmutableArray();

        var final = stages[^1];
        if (final == buildStage || buildStage.Name is null)
        {
            throw new InvalidDataException("deploy/Dockerfile should publish in a named build stage and copy the result into a last, separate stage");
        }

        var imageCopies = final.Instructions
            .Where(i => i.Keyword == "COPY")
            .Select(i => ImageCopyOf(i.Args, buildStage.Name, output))
            .ToImmutableArray();
        if (imageCopies.IsEmpty)
        {
            throw new InvalidDataException($"the last stage copies nothing from the `{buildStage.Name}` stage");
        }

        var entrypoint = final.Instructions.LastOrDefault(i => i.Keyword == "ENTRYPOINT")?.Args
            ?? throw new InvalidDataException("the last stage has no ENTRYPOINT");
        var user = final.Instructions.LastOrDefault(i => i.Keyword == "USER")?.Args
            ?? throw new InvalidDataException("the last stage has no USER; the image must not run as root");
        var (uid, gid) = UserOf(user);
        var env = final.Instructions
            .Where(i => i.Keyword == "ENV")
            .SelectMany(i => Words(i.Args).Select(EnvOf))
            .ToImmutableArray();

        return new DockerfileSpec(workdir, contextCopies, publishLine, words, outputWord, output, imageCopies, ExecForm(entrypoint), uid, gid, env);
    }

    /// <summary>Logical instructions: continuation lines joined, comment lines dropped (as Docker drops them inside continuations too).</summary>
    private static List<Instruction> Instructions(string text)
    {
        var result = new List<Instruction>();
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#') || (current.Length == 0 && line.Trim().Length == 0))
            {
                continue;
            }

            var continued = line.EndsWith('\\');
            current.Append(continued ? line[..^1] : line).Append(continued ? "\n" : "");
            if (!continued)
            {
                var logical = current.ToString().Trim();
                current.Clear();
                var space = logical.IndexOfAny([' ', '\t']);
                result.Add(space < 0 ? new(logical.ToUpperInvariant(), "") : new(logical[..space].ToUpperInvariant(), logical[(space + 1)..].Trim()));
            }
        }

        return result;
    }

    private sealed record Instruction(string Keyword, string Args);

    private sealed record Stage(string? Name, List<Instruction> Instructions);

    private static List<Stage> Stages(List<Instruction> instructions)
    {
        var stages = new List<Stage>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = Words(instruction.Args).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                var name = words.Count == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                stages.Add(new Stage(name, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
        }

        if (stages.Count == 0)
        {
            throw new InvalidDataException("deploy/Dockerfile has no FROM");
        }

        return stages;
    }

    /// <summary>One shell command of a RUN step, from <paramref name="start"/> to the first unquoted <c>&amp;&amp;</c>, <c>||</c>, <c>;</c> or <c>|</c>.</summary>
    private static string Command(string run, int start)
    {
        var quote = '\0';
        for (var i = start; i < run.Length; i++)
        {
            var c = run[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c is ';' or '|' || (c == '&' && i + 1 < run.Length && run[i + 1] == '&'))
            {
                return run[start..i].Trim();
            }
        }

        return run[start..].Trim();
    }

    /// <summary>The assignments of the case branch for <paramref name="targetArch"/>, e.g. <c>amd64) rid=linux-x64 ;;</c>.</summary>
    private static Dictionary<string, string> CaseAssignments(string run, string targetArch)
    {
        var branches = CaseBranchPattern().Matches(run).ToList();
        var mine = branches.FirstOrDefault(b => b.Groups["arch"].Value.Split('|').Contains(targetArch, StringComparer.Ordinal));
        if (branches.Count > 0 && mine is null)
        {
            throw new InvalidDataException($"the publish step's case statement has no branch for TARGETARCH={targetArch} (branches: {string.Join(", ", branches.Select(b => b.Groups["arch"].Value))})");
        }

        return mine is null ? [] : new Dictionary<string, string>(StringComparer.Ordinal) { [mine.Groups["name"].Value] = mine.Groups["value"].Value };
    }

    private static string Expand(string word, Dictionary<string, string> variables, string targetArch) =>
        VariablePattern().Replace(word, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
            return variables.TryGetValue(name, out var value)
                ? value
                : throw new InvalidDataException($"the test cannot expand ${name} in the publish line (TARGETARCH={targetArch}); only variables set by the step's case statement are known: {word}");
        });

    /// <summary>Shell words: whitespace separates; single quotes are literal; double quotes keep <c>$</c> for expansion; backslash escapes.</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (quote != '\0')
        {
            throw new InvalidDataException($"unterminated quote in: {text}");
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static ContextCopy ContextCopyOf(string args)
    {
        var words = Words(args);
        if (words.Any(w => w.StartsWith("--from", StringComparison.Ordinal)) || words.Count < 2 || words.Any(w => w.IndexOfAny(['*', '?', '[', '$']) >= 0))
        {
            throw new InvalidDataException($"the test copies the build context only for plain `COPY <path>... <folder>/` lines in the build stage: COPY {args}");
        }

        return new ContextCopy([.. words[..^1]], words[^1]);
    }

    private static ImageCopy ImageCopyOf(string args, string buildStage, string output)
    {
        var words = Words(args);
        var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
        var paths = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (from != buildStage || paths.Count != 2)
        {
            throw new InvalidDataException($"the test understands only `COPY --from={buildStage} <file> <path>` in the last stage: COPY {args}");
        }

        if (!paths[0].StartsWith(output + "/", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the image copies {paths[0]}, but the publish writes to {output}");
        }

        return new ImageCopy(paths[0], paths[1]);
    }

    private static ImmutableArray<string> ExecForm(string entrypoint)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(entrypoint) is { Length: > 0 } exec
                ? [.. exec]
                : throw new InvalidDataException($"ENTRYPOINT is empty: {entrypoint}");
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"ENTRYPOINT should be the exec form (a JSON array), so no shell is needed: {entrypoint}");
        }
    }

    private static (int Uid, int Gid) UserOf(string user)
    {
        var parts = user.Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], out var uid) && int.TryParse(parts[1], out var gid)
            ? (uid, gid)
            : throw new InvalidDataException($"USER should be numeric `uid:gid` (Kubernetes' runAsNonRoot can only check a numeric user): USER {user}");
    }

    private static KeyValuePair<string, string> EnvOf(string word) =>
        word.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq
            ? new(word[..eq], word[(eq + 1)..])
            : throw new InvalidDataException($"the test understands only `ENV NAME=value ...`: {word}");

    [GeneratedRegex(@"\bdotnet\s+publish\b")]
    private static partial Regex PublishPattern();

    [GeneratedRegex(@"(?<arch>[A-Za-z0-9_|-]+)\)\s*(?<name>[A-Za-z_]\w*)=(?<value>[^\s;]+)\s*;;")]
    private static partial Regex CaseBranchPattern();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_]\w*)\}|(?<plain>[A-Za-z_]\w*))")]
    private static partial Regex VariablePattern();
}
