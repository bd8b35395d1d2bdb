using System.Collections.Immutable;
using IronLb.Lab.Processes;

namespace IronLb.Bench;

/// <summary>
/// One `ironlb` under test, from `--ironlb [LABEL=]PATH`: the label prefixes its output keys, the path is what
/// `ironlb-lab up --ironlb` takes (an apphost, an ironlb.dll, their folder, or a wrapper script that sets the
/// environment and execs one of them); a null path is the lab's own choice, the repository's build. Resolved when
/// parsed, so a wrong path fails before any namespace or lab exists.
/// </summary>
/// <param name="Label">Prefix of the variant's output keys.</param>
/// <param name="Path">As given to `--ironlb`; null for the repository's build.</param>
/// <param name="Command">The command line that runs it: `dotnet ironlb.dll` or the file itself.</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record IronLbVariant(string Label, string? Path, ImmutableArray<string> Command)
{
    public static IronLbVariant Default() => Resolve("build", null);

    /// <param name="value">The option's value.</param>
    /// <param name="index">How many variants came before, for the label `vN` of an unlabelled one.</param>
    public static IronLbVariant Parse(string value, int index)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? Resolve(value[..eq], value[(eq + 1)..]) : Resolve($"v{index + 1}", value);
    }

    /// <summary>The `--ironlb` option's handler for <see cref="BenchArguments"/>: each value one more variant.</summary>
    public static Func<string, bool> Into(List<IronLbVariant> variants) => value =>
    {
        variants.Add(Parse(value, variants.Count));
        return true;
    };

    private static IronLbVariant Resolve(string label, string? path) =>
        new(label, path, Executables.FindIronLb(path, out var searched) ?? throw new FileNotFoundException($"no ironlb at {searched}"));
}
