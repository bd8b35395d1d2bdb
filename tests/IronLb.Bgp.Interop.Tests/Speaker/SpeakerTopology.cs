using System.Collections.Immutable;
using System.Globalization;
using IronLb.Lab.Routers;
using IronLb.Testing.Manifests;
using IronLb.Testing.Network;

namespace IronLb.Bgp.Interop.Tests.Speaker;

/// <summary>A node namespace: its name (also its Node's name in the manifests' terms is <see cref="Name"/>) and its link to the router (A = node, B = router).</summary>
internal sealed record SpeakerNode(string Name, string Netns, LinkAddresses Link);

/// <summary>
/// One router namespace (FRR or BIRD) and node namespaces linked to it, each for a real `ironlb speaker --manifests`
/// reading one shared manifest folder, as every speaker of a cluster reads one API server. The router is passive towards
/// every node address (the speaker dials, as MetalLB's does). Disposing stops the speakers, then the router and the
/// namespaces (<see cref="RouterNet"/>), then removes the folder, on every path.
/// </summary>
internal sealed class SpeakerTopology : IAsyncDisposable
{
    public const string Pool = "bgp-pool";

    /// <summary>The router's AS, and the nodes' AS for eBGP.</summary>
    public const uint RouterAsn = 64512;

    public const uint NodeAsn = 64513;

    private readonly RouterNet _net;
    private readonly Dictionary<string, LoggedProcess> _speakers = [];

    private SpeakerTopology(RouterNet net, string manifests)
    {
        _net = net;
        Manifests = manifests;
    }

    public string Manifests { get; }

    public IBgpRouter Router { get; private set; } = null!;

    public ImmutableArray<SpeakerNode> Nodes { get; private set; } = [];

    /// <summary>Namespaces, links and the router, which waits for the nodes; no speaker runs yet.</summary>
    public static async Task<SpeakerTopology> CreateAsync(string software, int nodes, uint routerAsn, uint nodeAsn, string? routerPassword = null)
    {
        var topology = new SpeakerTopology(new RouterNet(), Directory.CreateTempSubdirectory("ilb-bgpi-manifests-").FullName);
        try
        {
            var routerNs = await topology._net.AddNamespaceAsync("r");
            var built = ImmutableArray.CreateBuilder<SpeakerNode>();
            for (var n = 1; n <= nodes; n++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"node{n}");
                var netns = await topology._net.AddNamespaceAsync(name);
                built.Add(new SpeakerNode(name, netns, await topology._net.LinkAsync(netns, routerNs)));
            }

            topology.Nodes = built.ToImmutable();
            var neighbours = topology.Nodes.SelectMany(n => new[] { n.Link.A4, n.Link.A6 })
                .Select(a => new BgpNeighbour(a, RemoteAs.Of(nodeAsn)) { Passive = true, Password = routerPassword });
            topology.Router = await topology._net.StartAsync(software, topology._net.Spec(routerNs, topology.Nodes[0].Link.B4, routerAsn) with
            {
                Neighbours = [.. neighbours],
            });
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Node objects and, per node, a BGPPeer to each of the router's link addresses (IPv4 and IPv6).</summary>
    public string NodesAndPeers(uint myAsn, uint peerAsn, params string[] peerExtra) => ManifestYaml.Join(
        [.. Nodes.Select(n => ManifestYaml.Node(n.Name)),
         .. Nodes.SelectMany(n => new[]
         {
             BgpYaml.Peer($"{n.Name}-v4", n.Name, myAsn, peerAsn, n.Link.B4, peerExtra),
             BgpYaml.Peer($"{n.Name}-v6", n.Name, myAsn, peerAsn, n.Link.B6, peerExtra),
         })]);

    /// <summary>Replaces one manifest file whole (written beside, then renamed), so the speaker never reads half a file.</summary>
    public void Write(string file, string yaml)
    {
        var staging = Path.Combine(Path.GetTempPath(), $"ilb-bgpi-{Environment.ProcessId}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(staging, yaml);
        File.Move(staging, Path.Combine(Manifests, file), overwrite: true);
    }

    public void Delete(string file) => File.Delete(Path.Combine(Manifests, file));

    public LoggedProcess StartSpeaker(SpeakerNode node)
    {
        var speaker = SpeakerProcess.Start(node.Netns, node.Name, Manifests, "--log-level", "debug");
        _speakers[node.Name] = speaker;
        return speaker;
    }

    /// <summary>SIGKILL: no Cease, no withdrawal; the kernel closes the connection for the dead process.</summary>
    public async Task KillSpeakerAsync(SpeakerNode node)
    {
        var speaker = _speakers[node.Name];
        await ProcessRunner.CheckAsync("sh", "-c", $"kill -KILL {speaker.Id.ToString(CultureInfo.InvariantCulture)}");
        await Eventually.WaitForAsync(() => speaker.HasExited, $"{speaker.Name} to die of SIGKILL");
        _speakers.Remove(node.Name);
        await speaker.DisposeAsync();
    }

    /// <summary>The router's view once <paramref name="condition"/> holds; the speakers' logs are in the failure message.</summary>
    public async Task<RouterView> UntilAsync(Func<RouterView, bool> condition, string what)
    {
        try
        {
            return await Eventually.UntilAsync(Router.ReadViewAsync, condition, $"{Router.Software}: {what}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var logs = string.Join("\n", _speakers.Values.Select(s => $"--- {s.Name}\n{s.Log}"));
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{logs}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var speaker in _speakers.Values)
            {
                await speaker.DisposeAsync();
            }
        }
        finally
        {
            await _net.DisposeAsync();
            Directory.Delete(Manifests, recursive: true);
        }
    }
}
