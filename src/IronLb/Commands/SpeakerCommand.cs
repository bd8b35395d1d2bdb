using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IronLb.Kubernetes.Client;
using IronLb.Speaker.Cluster;
using IronLb.Speaker.Conflicts;
using k8s.Exceptions;
using IronLb.Cli;
using IronLb.CommandLine;
using IronLb.Monitoring;
using IronLb.Networking;
using IronLb.Networking.Egress;
using IronLb.Speaker;
using IronLb.Speaker.Files;
using IronLb.Speaker.Membership;

namespace IronLb.Commands;

/// <summary>
/// `ironlb speaker`: the per-node Layer 2 speaker, driven by the cluster (default) or by manifest files
/// (--manifests, no Kubernetes needed).
/// </summary>
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
        var metrics = new Option<string?>("--metrics-address")
        {
            Description = "Prometheus /metrics listen address, [host]:port; \":7472\" is every interface, empty disables (default: port 7472 on $METALLB_HOST, else on the membership address; with --manifests, 127.0.0.1).",
        };
        var health = new Option<string?>("--health-address")
        {
            Description = "/healthz and /readyz listen address, [host]:port; empty disables (default: port 17473 on the same host as the metrics).",
        };
        var burst = DurationOption.Create("--burst", "How long gratuitous ARP/NA continue after taking an address over (every 1.1 s); 0 sends only the immediate round.", TimeSpan.FromSeconds(5));
        var refresh = DurationOption.Create("--refresh", "Re-announce every owned address this often, for switches that forget MACs; 0 (default) never.", TimeSpan.Zero);
        var reload = DurationOption.Create("--reload-interval", "Re-read the manifests this often even without a file change event.", TimeSpan.FromSeconds(10));
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Path to a kubeconfig; in-cluster configuration when omitted." };
        var ns = new Option<string?>("--namespace") { Description = "Namespace of pools, advertisements and status objects (default: $METALLB_NAMESPACE, the service account's namespace, metallb-system)." };
        var podName = new Option<string?>("--pod-name") { Description = "This speaker's pod (default: $METALLB_POD_NAME); owner of the objects it writes." };
        var lbClass = new Option<string>("--lb-class") { Description = "The spec.loadBalancerClass to handle; empty handles Services without a class.", DefaultValueFactory = _ => "" };
        var membershipAddress = new Option<string?>("--membership-address") { Description = "Address the other speakers send heartbeats to (default: this Node's InternalIP)." };
        var membershipPort = new Option<int>("--membership-port")
        {
            Description = "UDP port of the heartbeats (default: $METALLB_ML_BIND_PORT or 7947).",
            DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable("METALLB_ML_BIND_PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 7947,
        };
        var keyFile = new Option<string?>("--membership-key-file") { Description = "File holding the shared membership key (default: $METALLB_ML_SECRET_KEY_PATH/secretkey)." };
        var insecure = new Option<bool>("--insecure-membership") { Description = "Run membership without authentication: anyone on the network could move addresses. For labs only." };
        var protocol = new Option<MembershipProtocolKind>("--membership-protocol")
        {
            Description = "ring (membership v2: constant traffic per node, fencing) or mesh (v1, all-to-all, up to ~50 speakers); the same on every speaker.",
            DefaultValueFactory = _ => MembershipProtocolKind.Ring,
        };
        var heartbeat = DurationOption.Create("--heartbeat-interval", "Heartbeat period of the mesh protocol; the same on every speaker.", TimeSpan.FromMilliseconds(100), mustBePositive: true);
        var kernelReplies = new Option<bool>("--kernel-replies")
        {
            Description = "Answer ARP and NDP inside the kernel (a tc program; Linux 6.6+, CAP_BPF and CAP_NET_ADMIN) where allowed; false answers from userspace only, as MetalLB does.",
            DefaultValueFactory = _ => true,
        };
        var livenessWindow = DurationOption.Create("--liveness-window", "Answers (in the kernel too) stop, and /healthz fails, when the speaker's loop has not run for this long: a frozen or hung speaker goes quiet.", new Layer2Options().LivenessWindow, mustBePositive: true);
        var egress = new Option<bool>("--egress")
        {
            Description = "Let Services labelled metaleg.de/rewriteSrcIP=true send from their load-balancer address (nftables table inet ironlb, policy routing); false programs nothing.",
            DefaultValueFactory = _ => true,
        };
        var egressExclude = new Option<string[]>("--egress-exclude")
        {
            Description = "A destination CIDR that keeps the pod's own source, besides pod ranges, Service ranges and node addresses (repeatable; replaces the default, Metaleg's: 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 169.254.0.0/16 fc00::/7 fe80::/10).",
            AllowMultipleArgumentsPerToken = true,
        };
        var serviceCidr = new Option<string[]>("--service-cidr")
        {
            Description = "The cluster's Service range, for clusters whose API serves no ServiceCIDR objects (before Kubernetes 1.33; repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var routeTable = new Option<uint>("--egress-route-table")
        {
            Description = "Egress: the first of the 256 routing tables IronLB owns (one per announcing node it steers to).",
            DefaultValueFactory = _ => EgressKernelOptions.Default.RouteTableBase,
        };
        var rulePriority = new Option<uint>("--egress-rule-priority")
        {
            Description = "Egress: the priority of IronLB's policy rules (fwmark → its tables); it owns every rule there.",
            DefaultValueFactory = _ => EgressKernelOptions.Default.RulePriority,
        };
        var markMask = new Option<string>("--egress-fwmark-mask")
        {
            Description = "Egress: the firewall-mark bits IronLB may set (one contiguous run; hex); others stay the CNI's and kube-proxy's.",
            DefaultValueFactory = _ => $"0x{EgressKernelOptions.Default.FwmarkMask:x8}",
        };
        var conflicts = new SpeakerConflictFlags();
        var missed = new Option<int>("--missed-heartbeats") { Description = "Mesh protocol: heartbeats missed before a peer is no longer heard; the same on every speaker.", DefaultValueFactory = _ => 4 };

        var command = new Command("speaker", "Run the Layer 2 speaker for one node: answer ARP and NDP for the Service addresses this node wins.")
        {
            node, manifests, nodes, exclude, ignoreExclude, families, logLevel, metrics, health, burst, refresh, reload,
            kubeconfig, ns, podName, lbClass, membershipAddress, membershipPort, keyFile, insecure, protocol, heartbeat, missed, kernelReplies,
            livenessWindow, egress, egressExclude, serviceCidr, routeTable, rulePriority, markMask,
        };
        foreach (var option in conflicts.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(node) ?? Environment.GetEnvironmentVariable("METALLB_NODE_NAME");
            if (string.IsNullOrWhiteSpace(name))
            {
                console.Error.WriteLine("ironlb speaker: --node is required (or set $METALLB_NODE_NAME)");
                return ExitCodes.UnusableInput;
            }

            var excluded = parse.GetValue(exclude) is { Length: > 0 } patterns ? patterns : null;
            var refreshEvery = parse.GetValue(refresh).TimeSpan;
            var layer2 = new Layer2Options
            {
                ExcludedInterfaces = excluded,
                GratuitousWindow = parse.GetValue(burst).TimeSpan,
                GratuitousRefreshInterval = refreshEvery > TimeSpan.Zero ? refreshEvery : null,
                KernelReplies = parse.GetValue(kernelReplies),
                LivenessWindow = parse.GetValue(livenessWindow).TimeSpan,
            };
            var host = ListenAddress.FromEnvironment(Environment.GetEnvironmentVariable(ListenAddress.HostVariable), out var hostError);
            if (hostError is not null)
            {
                console.Error.WriteLine($"ironlb speaker: {hostError}");
                return ExitCodes.UnusableInput;
            }

            using var loggerFactory = Logging.CreateFactory(Logging.Parse(parse.GetValue(logLevel) ?? "info"));
            var paths = parse.GetValue(manifests) ?? [];
            if (paths.Length == 0)
            {
                var cluster = conflicts.Read(parse, console.Error) is { } conflictSettings ? ClusterOptions(parse, console, name, layer2, host, conflictSettings) : null;
                if (cluster is null)
                {
                    return ExitCodes.UnusableInput;
                }

                try
                {
                    await SpeakerHost.RunInClusterAsync(cluster, loggerFactory, cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }
                catch (Exception e) when (e is InvalidOperationException or SocketException or FormatException or IOException or System.Text.RegularExpressions.RegexParseException or KubeConfigException)
                {
                    console.Error.WriteLine($"ironlb speaker: {e.Message}");
                    return ExitCodes.UnusableInput;
                }
            }

            var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
            if (missing.Count > 0)
            {
                console.Error.WriteLine($"ironlb speaker: no such file or folder: {string.Join(", ", missing)}");
                return ExitCodes.UnusableInput;
            }

            var options = new SpeakerHostOptions
            {
                Manifests = new ManifestSpeakerOptions
                {
                    Node = name,
                    Paths = [.. paths],
                    Speakers = [.. (parse.GetValue(nodes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    IgnoreExcludeLabel = parse.GetValue(ignoreExclude),
                    ClusterFamilies = CommonOptions.ParseFamilies(parse.GetValue(families)) ?? ImmutableArray.Create("IPv4", "IPv6"),
                    ReloadInterval = parse.GetValue(reload).TimeSpan,
                },
                Layer2 = layer2,

                // No node address without a cluster: loopback unless told otherwise.
                MetricsAddress = ListenAddress.Resolve(parse.GetValue(metrics), host ?? IPAddress.Loopback, SpeakerHost.MetricsPort),
                HealthAddress = ListenAddress.Resolve(parse.GetValue(health), host ?? IPAddress.Loopback, SpeakerHost.HealthPort),
            };

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

        ClusterHostOptions? ClusterOptions(ParseResult parse, CliConsole console, string name, Layer2Options layer2, IPAddress? host, ConflictSettings conflictSettings)
        {
            IPAddress? address = null;
            if (parse.GetValue(membershipAddress) is { Length: > 0 } text && !IPAddress.TryParse(text, out address))
            {
                console.Error.WriteLine($"ironlb speaker: --membership-address takes an IP address, not \"{text}\"");
                return null;
            }

            var keyPath = parse.GetValue(keyFile)
                ?? (Environment.GetEnvironmentVariable("METALLB_ML_SECRET_KEY_PATH") is { Length: > 0 } dir ? Path.Combine(dir, "secretkey") : null);
            byte[]? key = null;
            if (keyPath is not null)
            {
                if (!File.Exists(keyPath))
                {
                    console.Error.WriteLine($"ironlb speaker: membership key file {keyPath} not found");
                    return null;
                }

                // The Secret's text as it is mounted; a trailing newline from an editor is not part of the key.
                key = Encoding.UTF8.GetBytes(File.ReadAllText(keyPath).TrimEnd());
            }
            else if (!parse.GetValue(insecure))
            {
                console.Error.WriteLine("ironlb speaker: no membership key: give --membership-key-file (or $METALLB_ML_SECRET_KEY_PATH), or --insecure-membership for a lab");
                return null;
            }

            var excludes = ImmutableArray.CreateBuilder<IPNetwork>();
            var serviceCidrs = ImmutableArray.CreateBuilder<string>();
            foreach (var (flag, values, into) in new[] { ("--egress-exclude", parse.GetValue(egressExclude), (Action<IPNetwork>)excludes.Add), ("--service-cidr", parse.GetValue(serviceCidr), n => serviceCidrs.Add(n.ToString())) })
            {
                foreach (var value in values ?? [])
                {
                    if (!IPNetwork.TryParse(value, out var network))
                    {
                        console.Error.WriteLine($"ironlb speaker: {flag} takes a CIDR such as 10.96.0.0/12, not \"{value}\"");
                        return null;
                    }

                    into(network);
                }
            }

            var maskText = parse.GetValue(markMask) ?? "";
            var hex = maskText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? maskText[2..] : maskText;
            if (!uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
            {
                console.Error.WriteLine($"ironlb speaker: --egress-fwmark-mask takes a hexadecimal mask such as 0x0ff00000, not \"{maskText}\"");
                return null;
            }

            var kernel = new EgressKernelOptions { RouteTableBase = parse.GetValue(routeTable), RulePriority = parse.GetValue(rulePriority), FwmarkMask = mask };
            if (kernel.Validate() is { IsEmpty: false } problems)
            {
                console.Error.WriteLine($"ironlb speaker: egress: {string.Join("; ", problems)}");
                return null;
            }

            var port = parse.GetValue(membershipPort);
            var interval = parse.GetValue(heartbeat).TimeSpan;
            var missedCount = parse.GetValue(missed);
            if (port is < 0 or > 65535 || missedCount < 2)
            {
                console.Error.WriteLine("ironlb speaker: --membership-port must be 0–65535 and --missed-heartbeats at least 2");
                return null;
            }

            return new ClusterHostOptions
            {
                Speaker = new ClusterSpeakerOptions
                {
                    Node = name,
                    Namespace = KubeConnection.ConfigNamespace(parse.GetValue(ns)),
                    PodName = parse.GetValue(podName) ?? Environment.GetEnvironmentVariable("METALLB_POD_NAME"),
                    LoadBalancerClass = parse.GetValue(lbClass) ?? "",
                    IgnoreExcludeLabel = parse.GetValue(ignoreExclude),
                    MembershipAddress = address,
                    MembershipPort = port,
                    MembershipKey = key,
                    InsecureMembership = parse.GetValue(insecure),
                    MembershipProtocol = parse.GetValue(protocol),
                    HeartbeatInterval = interval,
                    MissedHeartbeats = missedCount,
                    Egress = parse.GetValue(egress),
                    EgressExclude = parse.GetValue(egressExclude) is { Length: > 0 } ? excludes.ToImmutable() : ClusterSpeakerOptions.DefaultEgressExclude,
                    ServiceCidrs = serviceCidrs.ToImmutable(),
                    Conflicts = conflictSettings,
                },
                Kubeconfig = parse.GetValue(kubeconfig),
                Layer2 = layer2,
                EgressKernel = kernel,
                MetricsAddress = parse.GetValue(metrics),
                HealthAddress = parse.GetValue(health),
                MonitoringHost = host ?? address,
            };
        }
    }
}
