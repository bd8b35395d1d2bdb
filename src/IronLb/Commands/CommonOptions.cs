using System.Collections.Immutable;
using System.CommandLine;
using IronLb.Cli;
using IronLb.Manifests;

namespace IronLb.Commands;

/// <summary>Arguments and options that plan and suggest share, so they parse and read the same way.</summary>
internal static class CommonOptions
{
    public static Argument<string[]> Paths() => new("PATH")
    {
        Description = "Manifest files or folders (searched recursively for *.yaml, *.yml, *.json).",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format.",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    public static Option<string> ClusterFamilies()
    {
        var option = new Option<string>("--cluster-families")
        {
            Description = "The cluster's service families, primary first, for Services without clusterIPs (ipv4, ipv6, ipv4,ipv6 or ipv6,ipv4).",
            DefaultValueFactory = _ => "ipv4,ipv6",
        };
        option.Validators.Add(result =>
        {
            if (ParseFamilies(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError("--cluster-families takes ipv4, ipv6, ipv4,ipv6 or ipv6,ipv4.");
            }
        });
        return option;
    }

    /// <summary>"ipv4,ipv6" → ["IPv4", "IPv6"]; null when the list is not one or two distinct families.</summary>
    public static ImmutableArray<string>? ParseFamilies(string? text)
    {
        var families = ImmutableArray.CreateBuilder<string>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            string? family = part.ToUpperInvariant() switch
            {
                "IPV4" => "IPv4",
                "IPV6" => "IPv6",
                _ => null,
            };
            if (family is null || families.Contains(family))
            {
                return null;
            }

            families.Add(family);
        }

        return families.ToImmutable();
    }

    public static ManifestReadResult Read(string[] paths, ImmutableArray<string> families) =>
        ManifestReader.Read(paths, new ManifestReadOptions { ClusterFamilies = families });

    /// <summary>Prints problems that make the input unusable; true when there were any.</summary>
    public static bool ReportFatal(ManifestReadResult read, CliConsole console)
    {
        foreach (var fatal in read.FatalErrors)
        {
            console.Error.WriteLine($"ironlb: {fatal}");
        }

        return !read.FatalErrors.IsEmpty;
    }
}
