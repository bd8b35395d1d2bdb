using System.CommandLine;
using System.Globalization;
using System.Net;
using IronLb.KubeSim;
using IronLb.Lab.ApiServer;
using IronLb.Lab.Cluster;

namespace IronLb.Lab.Commands;

/// <summary><c>ironlb-lab apiserver --listen 127.0.0.1:PORT --kubeconfig-out FILE [--relay ADDRESS:PORT]</c>: KubeSim
/// as a process, until SIGINT/SIGTERM. The relay is how a lab's node namespaces reach it; with --endpoint-nodes it
/// also keeps the EndpointSlices of LoadBalancer Services (<see cref="EndpointSliceKeeper"/>).</summary>
internal static class ApiServerCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Address to listen on; only 127.0.0.1 is allowed (port 0 picks a free one).",
            DefaultValueFactory = _ => "127.0.0.1:6443",
        };
        var kubeconfigOut = new Option<FileInfo>("--kubeconfig-out")
        {
            Description = "Where to write a kubeconfig for kubectl and clients.",
            Required = true,
        };
        var historyLimit = new Option<int>("--watch-history")
        {
            Description = "Events kept for watches; older resourceVersions get 410 Expired.",
            DefaultValueFactory = _ => 10_000,
        };
        var relay = new Option<string?>("--relay")
        {
            Description = "Also accept connections on ADDRESS:PORT (a documentation-prefix address such as a lab's management LAN) and relay them to the loopback listener.",
        };
        var endpointNodes = new Option<string?>("--endpoint-nodes")
        {
            Description = "Comma-separated node names: keep an EndpointSlice with a ready endpoint on each for every LoadBalancer Service, as kube-controller-manager would (the lab's nodes).",
        };
        var podsFrom = new Option<FileInfo?>("--pods-from")
        {
            Description = "A lab's state.json: the Services of the pods it records get EndpointSlices naming those pods (one per family) instead of one endpoint per node.",
        };
        var rbac = new Option<DirectoryInfo?>("--rbac")
        {
            Description = "Enforce RBAC, and create the ServiceAccounts, Roles and bindings of every YAML file in this folder (deploy/rbac) at start.",
        };
        var tokenKubeconfigs = new Option<string[]>("--token-kubeconfig")
        {
            Description = "NAMESPACE/SERVICEACCOUNT=FILE: write a kubeconfig acting as that ServiceAccount (over the relay when there is one). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("apiserver", "Run KubeSim, the in-memory Kubernetes API server, over plain HTTP on 127.0.0.1.")
        {
            listen,
            kubeconfigOut,
            historyLimit,
            relay,
            endpointNodes,
            podsFrom,
            rbac,
            tokenKubeconfigs,
        };
        command.SetAction(async (result, ct) =>
        {
            var port = ParseListen(result.GetValue(listen)!);
            if (port is null)
            {
                await Console.Error.WriteLineAsync("--listen must be 127.0.0.1:PORT (KubeSim listens on loopback only)").ConfigureAwait(false);
                return 2;
            }
            IPEndPoint? relayEndpoint = null;
            if (result.GetValue(relay) is { } relayText
                && (!IPEndPoint.TryParse(relayText, out relayEndpoint) || relayEndpoint.Port == 0 || !TcpRelay.IsAllowed(relayEndpoint.Address)))
            {
                await Console.Error.WriteLineAsync("--relay must be ADDRESS:PORT with an address in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32").ConfigureAwait(false);
                return 2;
            }

            var path = result.GetValue(kubeconfigOut)!.FullName;
            var rbacDir = result.GetValue(rbac);
            var options = new KubeSimOptions { Port = port.Value, KubeconfigPath = path, WatchHistoryLimit = result.GetValue(historyLimit), EnforceRbac = rbacDir is not null };
            await using var api = await KubeSim.KubeSim.StartAsync(options, ct).ConfigureAwait(false);
            if (!await ServiceAccountsAsync(api, rbacDir, result.GetValue(tokenKubeconfigs) ?? [], relayEndpoint, ct).ConfigureAwait(false))
            {
                return 2;
            }
            await Console.Out.WriteLineAsync($"kubesim listening on {api.BaseUrl} (kubeconfig {path})").ConfigureAwait(false);
            await using var relayed = relayEndpoint is null ? null : new TcpRelay(relayEndpoint, new IPEndPoint(IPAddress.Loopback, api.BaseUrl.Port));
            if (relayed is not null)
            {
                relayed.Start();
                await Console.Out.WriteLineAsync($"relaying {relayEndpoint} to {api.BaseUrl}").ConfigureAwait(false);
            }

            var nodes = result.GetValue(endpointNodes)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            var pods = await PodEndpointsAsync(result.GetValue(podsFrom), ct).ConfigureAwait(false);
            var keeping = nodes.Length == 0 ? Task.CompletedTask
                : new EndpointSliceKeeper(Kubernetes.Client.KubeConnection.Create(path), nodes, pods, TimeProvider.System).RunAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGINT/SIGTERM: stop cleanly.
            }

            await keeping.ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>deploy/rbac's objects, then a kubeconfig per requested ServiceAccount (its namespace made first).</summary>
    private static async Task<bool> ServiceAccountsAsync(KubeSim.KubeSim api, DirectoryInfo? rbacDir, string[] requests, IPEndPoint? relay, CancellationToken ct)
    {
        var wanted = new List<(string Namespace, string Name, string File)>();
        foreach (var request in requests)
        {
            var (account, file) = request.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (request[..eq], request[(eq + 1)..]) : (request, "");
            var slash = account.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == account.Length - 1 || file.Length == 0)
            {
                await Console.Error.WriteLineAsync($"--token-kubeconfig {request}: expected NAMESPACE/SERVICEACCOUNT=FILE").ConfigureAwait(false);
                return false;
            }
            wanted.Add((account[..slash], account[(slash + 1)..], file));
        }
        foreach (var ns in wanted.Select(w => w.Namespace).Distinct(StringComparer.Ordinal))
        {
            api.EnsureNamespace(ns);
        }
        foreach (var file in rbacDir is null ? [] : rbacDir.GetFiles("*.yaml").OrderBy(f => f.Name, StringComparer.Ordinal).ToArray())
        {
            api.CreateFromYaml(await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false));
        }
        var server = relay is null ? api.BaseUrl : new Uri($"http://{relay}");
        foreach (var (ns, name, file) in wanted)
        {
            api.WriteKubeconfigFor(ns, name, Path.GetFullPath(file), server);
        }
        return true;
    }

    /// <summary>The pods a lab's state records, by "namespace/service", with their addresses from the lab's plan.</summary>
    private static async Task<ILookup<string, PodEndpoint>> PodEndpointsAsync(FileInfo? stateFile, CancellationToken ct)
    {
        if (stateFile is null)
        {
            return Array.Empty<PodEndpoint>().ToLookup(_ => "");
        }

        var session = await Operations.LabSession.OpenAsync(stateFile.FullName, ct).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"--pods-from {stateFile.FullName}: no lab state there", stateFile.FullName);
        return session.Plan.Pods.ToLookup(
            p => $"{p.Pod.Namespace}/{p.Pod.Service}",
            p => new PodEndpoint(p.Pod.Name, p.Pod.Node, p.V4.ToString(), p.V6.ToString()),
            StringComparer.Ordinal);
    }

    private static int? ParseListen(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !IPAddress.TryParse(text[..colon], out var ip) || !ip.Equals(IPAddress.Loopback)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return null;
        }
        return port;
    }
}
