using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IronLb.Bgp.Wire;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Status;
using IronLb.Speaker.Bgp;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// BGP mode through the cluster path: BGPPeer and BGPAdvertisement objects in KubeSim, read by the speaker as the
/// ServiceAccount deploy/rbac grants, become this node's routes, a session that dials the peer, and one
/// ServiceBGPStatus per announced Service and node, and each session's state and prefix counts on the speaker's
/// ConfigurationState. The peer is a TCP listener on loopback that answers the OPEN exchange and reads what follows:
/// enough for the sessions to come up, not a router (the FRR and BIRD interop tests are that).
/// </summary>
[Trait("Category", Category.Kubectl)]
public sealed class SpeakerBgpTests
{
    [Fact]
    public async Task A_BGP_Service_gets_routes_a_dialled_session_and_a_ServiceBGPStatus_per_announcing_node()
    {
        using var router = ListenBelowPortLimit();
        var port = ((IPEndPoint)router.LocalEndpoint).Port;
        await using var cluster = await SpeakerCluster.StartAsync("n1", "n2");
        await cluster.CreatePoolAsync("public", "[\"198.51.100.0/24\"]");
        await cluster.Client.CreateNamespacedCustomObjectAsync(
            "{\"apiVersion\":\"metallb.io/v1beta2\",\"kind\":\"BGPPeer\",\"metadata\":{\"name\":\"tor\"},\"spec\":{\"myASN\":64512,\"peerASN\":64513,\"peerAddress\":\"127.0.0.1\",\"peerPort\":" + port + "}}",
            "metallb.io", "v1beta2", "metallb-system", "bgppeers");
        await cluster.CreateObjectAsync("bgpadvertisements", "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"BGPAdvertisement\",\"metadata\":{\"name\":\"public\"},\"spec\":{\"ipAddressPools\":[\"public\"]}}");
        await cluster.CreateServiceAsync("web", "www", ["198.51.100.7"], ["n1"], local: true);

        await using var bgp1 = new BgpSessions("n1", TimeProvider.System, NullLoggerFactory.Instance);
        await using var bgp2 = new BgpSessions("n2", TimeProvider.System, NullLoggerFactory.Instance);
        cluster.Start("n1", bgp: bgp1);
        cluster.Start("n2", bgp: bgp2);

        // ETP Local with the endpoint on n1: n1 routes the /32 to tor, n2 runs the session but sends nothing.
        var plan = await SpeakerCluster.EventuallyAsync(() => cluster.Speaker("n1").Current?.Bgp, p => p is { Routes.Length: 1 }, "n1's route");
        Assert.Equal("198.51.100.7/32 to tor", plan!.Routes[0].ToString());
        await SpeakerCluster.EventuallyAsync(() => cluster.Speaker("n2").Current?.Bgp, p => p is { Peers.Length: 1, Routes.Length: 0 }, "n2's session without routes");

        // Both sessions dial the peer and open with our AS; the peer answers, and both come up.
        using var first = await router.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        using var second = await router.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        foreach (var connection in new[] { first, second })
        {
            var open = await ReadMessageAsync(connection.GetStream());
            Assert.Equal(1, open[18]);
            Assert.Equal(64512, (open[20] << 8) | open[21]);
            await AnswerAsync(connection.GetStream());
        }

        // Each speaker reports its session on its ConfigurationState for `ironlb status`: n1 has sent its one prefix.
        await SpeakerCluster.EventuallyAsync(() => SessionsAsync(cluster, "n1"), s => s == ("tor", "Established", 1, 1), "n1's session Established with 1/1 prefixes");
        await SpeakerCluster.EventuallyAsync(() => SessionsAsync(cluster, "n2"), s => s == ("tor", "Established", 0, 0), "n2's session Established with nothing to send");

        // An object is created first and its status patched after (the status subresource drops it on create).
        var statuses = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicebgpstatuses"), l => l.Count == 1 && Node(l[0]) == "n1", "one ServiceBGPStatus, n1's");
        var status = statuses[0].GetProperty("status");
        Assert.Equal(("n1", "www", "web"), (status.GetProperty("node").GetString(), status.GetProperty("serviceName").GetString(), status.GetProperty("serviceNamespace").GetString()));
        Assert.Equal(["tor"], status.GetProperty("peers").EnumerateArray().Select(p => p.GetString()));

        // The endpoint moves to n2: n1 withdraws and deletes its object, n2 creates its own.
        await cluster.SetEndpointsAsync("web", "www", ["n2"]);
        statuses = await SpeakerCluster.EventuallyAsync(() => cluster.ListAsync("servicebgpstatuses"), l => l.Count == 1 && Node(l[0]) == "n2", "the ServiceBGPStatus moving to n2");
        await SpeakerCluster.EventuallyAsync(() => cluster.Speaker("n1").Current?.Bgp, p => p is { Routes.Length: 0 }, "n1 withdrawing");
        await SpeakerCluster.EventuallyAsync(() => SessionsAsync(cluster, "n2"), s => s == ("tor", "Established", 1, 1), "n2's report counting the prefix it now sends");
        await SpeakerCluster.EventuallyAsync(() => SessionsAsync(cluster, "n1"), s => s == ("tor", "Established", 0, 0), "n1's report after withdrawing");
    }

    /// <summary>One BGP message off the stream, header included.</summary>
    private static async Task<byte[]> ReadMessageAsync(NetworkStream stream)
    {
        var header = new byte[19];
        await stream.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
        Assert.All(header[..16], b => Assert.Equal(0xFF, b));
        var message = new byte[(header[16] << 8) | header[17]];
        header.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(19), TestContext.Current.CancellationToken);
        return message;
    }

    /// <summary>
    /// The router's side of the OPEN exchange, with hold time 0 (no keepalives, no hold timer: a slow test run cannot
    /// expire the session); what the speaker sends after that is read and dropped.
    /// </summary>
    private static async Task AnswerAsync(NetworkStream stream)
    {
        var open = OpenMessage.Create(64513, 0, 0xC000_02FE, [new MultiprotocolCapability(Afi.Ipv4, Safi.Unicast)]);
        await stream.WriteAsync(BgpCodec.Encode(open, fourOctetAs: false), TestContext.Current.CancellationToken);
        await stream.WriteAsync(BgpCodec.Encode(KeepaliveMessage.Instance, fourOctetAs: false), TestContext.Current.CancellationToken);
        _ = stream.CopyToAsync(Stream.Null);
    }

    /// <summary>A speaker's one reported session as (peer, state, advertised, desired); default until it reports one.</summary>
    private static async Task<(string, string, int, int)> SessionsAsync(SpeakerCluster cluster, string node)
    {
        var state = (await cluster.ListAsync("configurationstates")).FirstOrDefault(s => s.GetProperty("metadata").GetProperty("name").GetString() == "speaker-" + node);
        if (state.ValueKind != JsonValueKind.Object
            || !state.GetProperty("metadata").TryGetProperty("annotations", out var annotations)
            || !annotations.TryGetProperty(IronLbAnnotations.BgpSessions, out var text))
        {
            return default;
        }

        var (sessions, error) = BgpSessionReports.Parse(text.GetString()!);
        Assert.Null(error);
        return sessions is [var s] ? (s.Peer, s.State, s.Advertised, s.Desired) : default;
    }

    /// <summary>The CRD caps peerPort at 16384, below the kernel's ephemeral range: take the first free port from 12000 up.</summary>
    private static TcpListener ListenBelowPortLimit()
    {
        for (var port = 12000 + (Environment.ProcessId % 2000); ; port++)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException) when (port < 16384)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>The node an object reports; null while its status has not been written yet.</summary>
    private static string? Node(JsonElement status) =>
        status.TryGetProperty("status", out var body) && body.TryGetProperty("node", out var node) ? node.GetString() : null;
}
