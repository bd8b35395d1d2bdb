using System.Collections.Immutable;
using System.Net;
using IronLb.Speaker.Cluster;
using IronLb.Speaker.Membership;
using k8s.Models;

namespace IronLb.Speaker.Tests.Cluster;

/// <summary>
/// Discovery from the per-node Leases (issue 14, finding 2): a peer is found by its Lease, stays at its last
/// known endpoint while its Node exists whatever happens to the Lease, and goes only with its Node.
/// </summary>
public sealed class SpeakerDirectoryTests
{
    private const string Self = "n1";

    /// <summary>One row: the Leases, the Nodes, what was known before, and the peers expected ("node=endpoint").</summary>
    public sealed record Row(V1Lease[] Leases, string[] Nodes, string[] Known, string[] Expected);

    private static readonly string[] AllNodes = ["n1", "n2", "n3"];

    private static readonly Dictionary<string, Row> Rows = new()
    {
        ["every Lease present"] = new([Lease("n1", "192.0.2.1:7947"), Lease("n2", "192.0.2.2:7947"), Lease("n3", "192.0.2.3:7947")], AllNodes, [], ["n2=192.0.2.2:7947", "n3=192.0.2.3:7947"]),
        ["a new peer's Lease appears"] = new([Lease("n2", "192.0.2.2:7947"), Lease("n3", "192.0.2.3:7947")], AllNodes, ["n2=192.0.2.2:7947"], ["n2=192.0.2.2:7947", "n3=192.0.2.3:7947"]),
        ["every Lease deleted: the known endpoints stay"] = new([], AllNodes, ["n2=192.0.2.2:7947", "n3=192.0.2.3:7947"], ["n2=192.0.2.2:7947", "n3=192.0.2.3:7947"]),
        ["no Lease and nothing known"] = new([], AllNodes, [], []),
        ["relabelled: labels are not read"] = new([Lease("n2", "192.0.2.2:7947", labels: [])], AllNodes, [], ["n2=192.0.2.2:7947"]),
        ["holder edited: not trusted, the known endpoint stays"] = new([Lease("n2", "192.0.2.9:7947", holder: "intruder")], AllNodes, ["n2=192.0.2.2:7947"], ["n2=192.0.2.2:7947"]),
        ["holder edited and nothing known"] = new([Lease("n2", "192.0.2.9:7947", holder: "intruder")], AllNodes, [], []),
        ["endpoint annotation removed: the known one stays"] = new([Lease("n2", null)], AllNodes, ["n2=192.0.2.2:7947"], ["n2=192.0.2.2:7947"]),
        ["endpoint unreadable: the known one stays"] = new([Lease("n2", "not-an-endpoint")], AllNodes, ["n2=192.0.2.2:7947"], ["n2=192.0.2.2:7947"]),
        ["port 0 is not an endpoint"] = new([Lease("n2", "192.0.2.2:0")], AllNodes, [], []),
        ["a restarted peer moved: the Lease wins"] = new([Lease("n2", "192.0.2.2:40001")], AllNodes, ["n2=192.0.2.2:7947"], ["n2=192.0.2.2:40001"]),
        ["IPv6 endpoint"] = new([Lease("n2", "[2001:db8::2]:7947")], AllNodes, [], ["n2=[2001:db8::2]:7947"]),
        ["Node deleted, its Lease still there"] = new([Lease("n2", "192.0.2.2:7947"), Lease("n3", "192.0.2.3:7947")], ["n1", "n3"], ["n2=192.0.2.2:7947"], ["n3=192.0.2.3:7947"]),
        ["Node deleted, only known before"] = new([], ["n1", "n3"], ["n2=192.0.2.2:7947", "n3=192.0.2.3:7947"], ["n3=192.0.2.3:7947"]),
        ["a Lease for a Node that never existed"] = new([Lease("n7", "192.0.2.7:7947")], AllNodes, [], []),
        ["other Leases in the namespace are not speakers"] = new([Named("ironlb-controller", "n2", "192.0.2.2:7947"), Named("ironlb-speaker-", "", "192.0.2.2:7947")], AllNodes, [], []),
        ["this node's own Lease, also known before"] = new([Lease("n1", "192.0.2.1:7947")], AllNodes, ["n1=192.0.2.1:7947"], []),
    };

    public static TheoryData<string> Cases => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Peers_come_from_Leases_and_stay_while_their_Node_exists(string name)
    {
        var row = Rows[name];
        var nodes = row.Nodes.Select(n => new V1Node { Metadata = new V1ObjectMeta { Name = n } });
        var known = row.Known.Select(Parse).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        var peers = SpeakerDirectory.Peers(row.Leases, nodes, Self, known);

        Assert.Equal(row.Expected.Order(StringComparer.Ordinal), peers.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string?, bool> News => new()
    {
        { "a renewal of a known peer", "n2=192.0.2.2:7947", false },
        { "a peer not known yet", "n3=192.0.2.3:7947", true },
        { "a known peer at a new endpoint", "n2=192.0.2.2:40001", true },
        { "this node's own Lease", "n1=192.0.2.1:7947", false },
        { "a deletion (no new object)", null, false },
    };

    [Theory]
    [MemberData(nameof(News))]
    public void Only_a_new_or_moved_endpoint_is_news(string what, string? lease, bool news)
    {
        var known = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal) { ["n2"] = IPEndPoint.Parse("192.0.2.2:7947") };
        var changed = lease is null ? null : Lease(Parse(lease).Key, Parse(lease).Value.ToString());

        Assert.Equal((what, news), (what, SpeakerDirectory.IsNews(changed, known, Self)));
    }

    public static TheoryData<bool, string, string> States => new()
    {
        { false, "live", SpeakerLease.NotEligible },
        { false, "WarmingUp", SpeakerLease.NotEligible },
        { true, "live", SpeakerLease.Answering },
        { true, "WarmingUp", SpeakerLease.WarmingUp },
        { true, "NotHeardByMajority", "fenced: not heard by a majority" },
        { true, "NotReady", "fenced: node not Ready" },
        { true, "unknown", "fenced" },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void The_Lease_says_what_the_speaker_is_doing(bool eligible, string self, string expected)
    {
        var live = ImmutableSortedSet.Create(StringComparer.Ordinal, self == "live" ? new[] { "n1", "n2" } : new[] { "n2" });
        var excluded = ImmutableSortedDictionary.Create<string, ExclusionReason>(StringComparer.Ordinal);
        if (Enum.TryParse<ExclusionReason>(self, out var reason))
        {
            excluded = excluded.Add(Self, reason);
        }

        Assert.Equal(expected, SpeakerLease.Describe(eligible, new MembershipView(live, excluded, MembershipMode.Quorum), Self));
    }

    [Theory]
    [InlineData(true, "Api", true, SpeakerLease.ApiMode)]
    [InlineData(true, "Api", false, SpeakerLease.ApiMode)]
    [InlineData(false, "Api", true, SpeakerLease.NotEligible)]
    [InlineData(true, "NoMajority", true, SpeakerLease.NoMajority)]
    [InlineData(true, "NoMajority", false, SpeakerLease.NoMajority)]
    [InlineData(true, "Fenced", true, SpeakerLease.FencedByObservers)]
    public void The_Lease_names_the_ring_s_mode(bool eligible, string mode, bool inOwnElection, string expected)
    {
        var live = ImmutableSortedSet.Create(StringComparer.Ordinal, inOwnElection ? new[] { Self, "n2" } : new[] { "n2" });
        var view = new MembershipView(live, ImmutableSortedDictionary.Create<string, ExclusionReason>(StringComparer.Ordinal), Enum.Parse<MembershipMode>(mode));
        Assert.Equal(expected, SpeakerLease.Describe(eligible, view, Self));
    }

    [Fact]
    public void The_Lease_written_reads_back_as_the_same_peer()
    {
        var endpoint = IPEndPoint.Parse("192.0.2.2:7947");
        var lease = SpeakerLease.Build("metallb-system", "n2", new SpeakerLeaseContent(endpoint, SpeakerLease.Answering), TimeSpan.FromSeconds(10), DateTimeOffset.UnixEpoch, owner: null);

        Assert.Equal("ironlb-speaker-n2", lease.Metadata.Name);
        Assert.Equal("n2", lease.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(SpeakerLease.Answering, lease.Metadata.Annotations[SpeakerLease.StateAnnotation]);
        Assert.True(SpeakerLease.TryRead(lease, out var node, out var read));
        Assert.Equal("n2", node);
        Assert.Equal(endpoint, read);
    }

    [Theory]
    [InlineData("02:00:00:00:00:0b,66:98:15:68:30:47", "02:00:00:00:00:0b 66:98:15:68:30:47")]
    [InlineData("02:00:00:00:00:0B , 66-98-15-68-30-47", "02:00:00:00:00:0b")]
    [InlineData("", "")]
    [InlineData("not a mac,02:00:00:00:00,02:00:00:00:00:0b:0c,zz:00:00:00:00:00", "")]
    public void Peers_MACs_come_from_their_Leases_and_anything_else_there_is_skipped(string annotation, string expected)
    {
        var endpoint = IPEndPoint.Parse("192.0.2.2:7947");
        var peer = SpeakerLease.Build("metallb-system", "n2", new SpeakerLeaseContent(endpoint, SpeakerLease.Answering) { Macs = annotation }, TimeSpan.FromSeconds(10), DateTimeOffset.UnixEpoch, owner: null);
        var self = SpeakerLease.Build("metallb-system", Self, new SpeakerLeaseContent(endpoint, SpeakerLease.Answering) { Macs = "02:00:00:00:00:0a" }, TimeSpan.FromSeconds(10), DateTimeOffset.UnixEpoch, owner: null);

        Assert.Equal(annotation.Length > 0, peer.Metadata.Annotations.ContainsKey(SpeakerLease.MacsAnnotation));
        Assert.Equal(expected, string.Join(' ', SpeakerDirectory.PeerMacs([peer, self], Self)));
    }

    private static KeyValuePair<string, IPEndPoint> Parse(string entry)
    {
        var at = entry.IndexOf('=', StringComparison.Ordinal);
        return new(entry[..at], IPEndPoint.Parse(entry[(at + 1)..]));
    }

    private static V1Lease Lease(string node, string? endpoint, string? holder = null, string[]? labels = null) =>
        Named(SpeakerLease.Name(node), holder ?? node, endpoint, labels);

    private static V1Lease Named(string name, string holder, string? endpoint, string[]? labels = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = (labels ?? ["app.kubernetes.io/component"]).ToDictionary(l => l, _ => "speaker"),
            Annotations = endpoint is null ? new Dictionary<string, string> { ["other"] = "x" } : new Dictionary<string, string> { [SpeakerLease.EndpointAnnotation] = endpoint },
        },
        Spec = new V1LeaseSpec { HolderIdentity = holder },
    };
}
