using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using IronLb.Cli;
using IronLb.Kubernetes.Hosting;
using IronLb.Networking;
using IronLb.Speaker;
using IronLb.Speaker.Files;

namespace IronLb.Commands;

/// <summary>`ironlb speaker`: the per-node Layer 2 speaker. Only the file-driven mode (--manifests) exists so far.</summary>
internal static class SpeakerCommand
{
    public static Command Create(CliConsole console)
    {
        var node = new Option<string?>("--node") { Description = "This node's name, as in its Node object (default: $METALLB_NODE_NAME)." };
        var manifests = new Option<string[]>("--manifests")
        {
            Description = "Run from manifest files or folders instead of a cluster (the same input as 'ironlb plan'); re-read when they change.",
            AllowMultipleArgumentsPerToken = true,
        };
        var nodes = new Option<string?>("--nodes") { Description = "Comma-separated nodes that run a speaker (election candidates); default: every Node in the manifests." };
        var exclude = new Option<string[]>("--exclude-interfaces")
        {
            Description = "Interface name regexes never answered on; replaces MetalLB's default list (docker, veth, lo, cali, …).",
            AllowMultipleArgumentsPerToken = true,
        };
        var ignoreExclude = new Option<bool>("--ignore-exclude-lb") { Description = "Keep nodes labelled node.kubernetes.io/exclude-from-external-load-balancers in the election." };
        var families = CommonOptions.ClusterFamilies();
        var logLevel = new Option<string>("--log-level") { Description = "all, debug, info, warn, error or none.", DefaultValueFactory = _ => "info" };
        logLevel.AcceptOnlyFromAmong([.. Logging.Levels]);
        var metrics = new Option<string>("--metrics-address") { Description = "Prometheus /metrics listen address; empty disables.", DefaultValueFactory = _ => ":7472" };
        var health = new Option<string>("--health-address") { Description = "/healthz and /readyz listen address; empty disables.", DefaultValueFactory = _ => ":17473" };
        var burst = Duration("--burst", "How long gratuitous ARP/NA continue after taking an address over (every 1.1 s); 0 sends only the immediate round.", TimeSpan.FromSeconds(5));
        var refresh = Duration("--refresh", "Re-announce every owned address this often, for switches that forget MACs; 0 (default) never.", TimeSpan.Zero);
        var reload = Duration("--reload-interval", "Re-read the manifests this often even without a file change event.", TimeSpan.FromSeconds(10));

        var command = new Command("speaker", "Run the Layer 2 speaker for one node: answer ARP and NDP for the Service addresses this node wins.")
        {
            node, manifests, nodes, exclude, ignoreExclude, families, logLevel, metrics, health, burst, refresh, reload,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var paths = parse.GetValue(manifests) ?? [];
            if (paths.Length == 0)
            {
                // The cluster-driven speaker (informers, memberlist, ServiceL2Status) is a later issue.
                console.Error.WriteLine("ironlb speaker: the Kubernetes mode is not implemented yet; run from files with --manifests PATH...");
                return ExitCodes.UnusableInput;
            }

            var name = parse.GetValue(node) ?? Environment.GetEnvironmentVariable("METALLB_NODE_NAME");
            if (string.IsNullOrWhiteSpace(name))
            {
                console.Error.WriteLine("ironlb speaker: --node is required (or set $METALLB_NODE_NAME)");
                return ExitCodes.UnusableInput;
            }

            var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                console.Error.WriteLine($"ironlb speaker: no such file or folder: {string.Join(", ", missing)}");
                return ExitCodes.UnusableInput;
            }

            var excluded = parse.GetValue(exclude) is { Length: > 0 } patterns ? patterns : null;
            var refreshEvery = parse.GetValue(refresh);
            var options = new SpeakerHostOptions
            {
                Manifests = new ManifestSpeakerOptions
                {
                    Node = name,
                    Paths = [.. paths],
                    Speakers = [.. (parse.GetValue(nodes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    IgnoreExcludeLabel = parse.GetValue(ignoreExclude),
                    ClusterFamilies = CommonOptions.ParseFamilies(parse.GetValue(families)) ?? ImmutableArray.Create("IPv4", "IPv6"),
                    ReloadInterval = parse.GetValue(reload),
                },
                Layer2 = new Layer2Options
                {
                    ExcludedInterfaces = excluded,
                    GratuitousWindow = parse.GetValue(burst),
                    GratuitousRefreshInterval = refreshEvery > TimeSpan.Zero ? refreshEvery : null,
                },
                MetricsAddress = parse.GetValue(metrics) ?? "",
                HealthAddress = parse.GetValue(health) ?? "",
            };

            using var loggerFactory = Logging.CreateFactory(Logging.Parse(parse.GetValue(logLevel) ?? "info"));
            try
            {
                await SpeakerHost.RunFromManifestsAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FormatException or IOException or System.Text.RegularExpressions.RegexParseException)
            {
                console.Error.WriteLine($"ironlb speaker: {e.Message}");
                return ExitCodes.UnusableInput;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A duration as "5s", "1100ms", "2m" or plain seconds ("0").</summary>
    private static Option<TimeSpan> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = description + " Units ms, s, m.",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (TryParseDuration(text, out var value))
            {
                return value;
            }

            result.AddError($"{name} takes a duration such as 500ms, 5s or 2m, not \"{text}\".");
            return fallback;
        },
    };

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, 1000.0);
        var ok = double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount);
        value = ok ? TimeSpan.FromMilliseconds(amount * scale) : TimeSpan.Zero;
        return ok;
    }
}
