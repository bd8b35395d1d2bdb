using System.CommandLine;
using System.Net;
using IronLb.CommandLine;
using IronLb.Lab.Operations;
using IronLb.Lab.Processes;
using IronLb.Lab.Topology;

namespace IronLb.Lab.Commands;

/// <summary><c>ironlb-lab up --name NAME [--nodes 4] [--example DIR] [--wait 90s]</c>: a whole IronLB cluster on this machine.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var name = LabOptions.Name();
        var nodes = new Option<int>("--nodes") { Description = $"How many nodes (1–{LabPlan.MaxNodes}): the example's first ones, then cwnK.", DefaultValueFactory = _ => 4 };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > LabPlan.MaxNodes)
            {
                r.AddError($"--nodes takes 1 to {LabPlan.MaxNodes}.");
            }
        });
        var example = new Option<DirectoryInfo?>("--example") { Description = "Manifests to apply (default: the repository's examples/lab)." };
        var crds = new Option<DirectoryInfo?>("--crds") { Description = "The CRD manifests (default: the repository's deploy/crds)." };
        var rbac = new Option<DirectoryInfo?>("--rbac") { Description = "The components' ServiceAccounts, Roles and bindings, enforced (default: the repository's deploy/rbac)." };
        var subnet = new Option<string?>("--mgmt-subnet") { Description = "The management LAN, a /24 to /27 of 203.0.113.0/24 (default: the first /26 not on a host interface)." };
        var ironlb = new Option<string?>("--ironlb") { Description = "The ironlb executable (apphost or ironlb.dll, or their folder); default: the ironlb-build/ folder beside ironlb-lab, else the repository's build." };
        var wait = DurationOption.Create("--wait", "How long to wait for the API server and for every LoadBalancer Service to get its addresses.", TimeSpan.FromSeconds(90), mustBePositive: true);
        var bgp = new Option<bool>("--bgp") { Description = "Add a router: FRR (AS 64512) in its own namespace on the external LAN, a passive neighbour per node, and examples/lab-bgp's BGPPeers and BGPAdvertisement." };
        var verbose = new Option<bool>("--verbose") { Description = "Print every command run on the machine (ip, sh)." };
        var speakerArgs = new Option<string[]>("--speaker-arg")
        {
            Description = "One more word for every speaker's command line (repeatable), e.g. --speaker-arg=--conflict-probes=0 or --speaker-arg=--metrics-address=:7472; restart-speaker keeps them.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("up", "Start a lab: KubeSim, node network namespaces on external/office/management LANs, the controller and a speaker per node (root).")
        {
            name, nodes, example, crds, rbac, subnet, ironlb, wait, bgp, verbose, speakerArgs,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            IPNetwork? managementSubnet = null;
            if (result.GetValue(subnet) is { } text)
            {
                var problem = IPNetwork.TryParse(text, out var parsed) ? LabPlan.CheckManagementSubnet(parsed)
                    : $"--mgmt-subnet {text} must be a /25 to /27 network inside 203.0.113.0/24";
                if (problem is not null)
                {
                    await Console.Error.WriteLineAsync($"ironlb-lab: {problem}").ConfigureAwait(false);
                    return LabExit.Usage;
                }

                managementSubnet = parsed;
            }

            var root = Executables.RepositoryRoot();
            var exampleDir = result.GetValue(example)?.FullName ?? (root is null ? null : Path.Combine(root, "examples", "lab"));
            var crdDir = result.GetValue(crds)?.FullName ?? (root is null ? null : Path.Combine(root, "deploy", "crds"));
            var rbacDir = result.GetValue(rbac)?.FullName ?? (root is null ? null : Path.Combine(root, "deploy", "rbac"));
            if (exampleDir is null || crdDir is null || rbacDir is null || !Directory.Exists(exampleDir) || !Directory.Exists(crdDir) || !Directory.Exists(rbacDir))
            {
                await Console.Error.WriteLineAsync($"ironlb-lab: need the example ({exampleDir ?? "?"}), CRD ({crdDir ?? "?"}) and RBAC ({rbacDir ?? "?"}) folders; outside the repository pass --example, --crds and --rbac").ConfigureAwait(false);
                return LabExit.Usage;
            }

            var bgpDir = root is null ? null : Path.Combine(root, "examples", "lab-bgp");
            if (result.GetValue(bgp) && (bgpDir is null || !Directory.Exists(bgpDir)))
            {
                await Console.Error.WriteLineAsync($"ironlb-lab: --bgp needs the repository's examples/lab-bgp ({bgpDir ?? "not found"})").ConfigureAwait(false);
                return LabExit.Usage;
            }

            if (!await LabOptions.RequireRootAsync().ConfigureAwait(false))
            {
                return LabExit.Failed;
            }

            CommandRunner.Verbose = result.GetValue(verbose);
            var options = new UpOptions
            {
                Name = result.GetValue(name)!,
                Nodes = result.GetValue(nodes),
                Example = exampleDir,
                Crds = crdDir,
                Rbac = rbacDir,
                ManagementSubnet = managementSubnet,
                IronLb = result.GetValue(ironlb),
                Bgp = result.GetValue(bgp) ? bgpDir : null,
                Wait = result.GetValue(wait).TimeSpan,
                SpeakerArgs = result.GetValue(speakerArgs) ?? [],
            };
            try
            {
                return await new UpOperation(options).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LabCommandException or InvalidDataException or ArgumentException or IOException or HttpRequestException
                or IronLb.Kubernetes.Client.KubeApiException or OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"ironlb-lab: up failed: {e.Message}").ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"ironlb-lab: remove what was made with: {PrintedCommand.Lab("down", "--name", options.Name)}").ConfigureAwait(false);
                return LabExit.Failed;
            }
        });
        return command;
    }
}
