using System.Collections.Immutable;
using System.Net;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;
using IronLb.Core.Egress;
using IronLb.Core.Planning;
using IronLb.Networking.Egress;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Egress;

namespace IronLb.Speaker.Tests.Egress;

/// <summary>
/// The rule set one node programs, from the evaluation's decisions, as table rows: who translates, who steers
/// where, which endpoints, and what cannot be done.
/// </summary>
public sealed class EgressRuleSetBuilderTests
{
    private static readonly ServiceKey SmtpOut = new("mail", "smtpout");

    // cwn1 and cwn2 have both families on the node LAN; cwn3 only IPv4.
    private static readonly ImmutableArray<NodeNetwork> Networks =
    [
        new("cwn1", ["203.0.113.11", "2001:db8:ffff::11"], ["203.0.113.128/29", "2001:db8:100:1::/64"]),
        new("cwn2", ["203.0.113.12", "2001:db8:ffff::12"], ["203.0.113.136/29", "2001:db8:100:2::/64"]),
        new("cwn3", ["203.0.113.13"], ["203.0.113.144/29", "2001:db8:100:3::/64"]),
    ];

    private static readonly ImmutableArray<EndpointView> TwoPods =
    [
        new("cwn1", Ready: true) { Addresses = ["203.0.113.130", "2001:db8:100:1::2"] },
        new("cwn2", Ready: false) { Addresses = ["203.0.113.138", "2001:db8:100:2::2"] },
    ];

    public static TheoryData<string, string, string?, string?, string[], string[]> Rows => new()
    {
        // name, deciding node, winner, label value (null: none), expected entries, expected problems
        {
            "the announcing node translates every endpoint's packets, ready or not", "cwn1", "cwn1", "true",
            ["mail/smtpout IPv4 192.0.2.193 Translate 203.0.113.130,203.0.113.138", "mail/smtpout IPv6 2001:db8:3a::587 Translate 2001:db8:100:1::2,2001:db8:100:2::2"],
            []
        },
        {
            "another node steers only its own pods to the announcing node, per family", "cwn2", "cwn1", "true",
            ["mail/smtpout IPv4 192.0.2.193 Steer 203.0.113.138 via 203.0.113.11", "mail/smtpout IPv6 2001:db8:3a::587 Steer 2001:db8:100:2::2 via 2001:db8:ffff::11"],
            []
        },
        { "a node without pods of the Service programs nothing", "cwn3", "cwn1", "true", [], [] },
        { "without the label nothing", "cwn2", "cwn1", null, [], [] },
        { "the label must say true, as Metaleg reads it", "cwn2", "cwn1", "yes", [], [] },
        { "nobody announces: nothing, the pods keep their own source", "cwn2", null, "true", [], [] },
        {
            "the announcing node has no IPv6 InternalIP: IPv4 is steered, IPv6 is a problem", "cwn2", "cwn3", "true",
            ["mail/smtpout IPv4 192.0.2.193 Steer 203.0.113.138 via 203.0.113.13"],
            ["mail/smtpout: node cwn3 announces 2001:db8:3a::587 but has no IPv6 InternalIP to send this node's IPv6 egress to; it leaves with the pods' own addresses"]
        },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Builds_the_rule_set(string name, string node, string? winner, string? label, string[] entries, string[] problems)
    {
        var build = Build(node, winner, label, TwoPods);
        Assert.True(entries.SequenceEqual(build.RuleSet.Entries.Select(Describe)), $"{name}: got {string.Join(" | ", build.RuleSet.Entries.Select(Describe))}");
        Assert.Equal(problems, build.Problems.Select(p => $"{p.Service}: {p.Message}"));
    }

    [Fact]
    public void An_endpoint_without_a_node_is_steered_by_every_node()
    {
        var pods = TwoPods.Add(new EndpointView(null) { Addresses = ["203.0.113.150"] });
        var build = Build("cwn3", "cwn1", "true", pods);
        Assert.Equal(["mail/smtpout IPv4 192.0.2.193 Steer 203.0.113.150 via 203.0.113.11"], build.RuleSet.Entries.Select(Describe));
    }

    [Fact]
    public void When_the_address_moves_the_old_announcer_turns_from_translating_to_steering()
    {
        var before = Build("cwn1", "cwn1", "true", TwoPods).RuleSet;
        var after = Build("cwn1", "cwn2", "true", TwoPods).RuleSet;
        Assert.All(before.Entries, e => Assert.Equal(EgressRole.Translate, e.Role));
        Assert.Equal(["mail/smtpout IPv4 192.0.2.193 Steer 203.0.113.130 via 203.0.113.12", "mail/smtpout IPv6 2001:db8:3a::587 Steer 2001:db8:100:1::2 via 2001:db8:ffff::12"], after.Entries.Select(Describe));
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Endpoint_changes_change_the_rule_set_and_the_same_input_gives_an_equal_one()
    {
        var first = Build("cwn1", "cwn1", "true", TwoPods).RuleSet;
        Assert.Equal(first, Build("cwn1", "cwn1", "true", TwoPods).RuleSet);
        var more = Build("cwn1", "cwn1", "true", TwoPods.Add(new EndpointView("cwn3") { Addresses = ["203.0.113.146"] })).RuleSet;
        Assert.NotEqual(first, more);
        Assert.Contains(IPAddress.Parse("203.0.113.146"), more.Entries[0].Sources);
    }

    [Fact]
    public void Cluster_destinations_are_excluded_sorted_and_once()
    {
        var build = Build("cwn1", "cwn1", "true", TwoPods, serviceCidrs: ["10.96.0.0/12", "fd00:10:96::/108"], extra: [IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.128/29")]);
        Assert.Equal(
            [
                "10.96.0.0/12", "192.0.2.193/32", "198.51.100.0/24", "203.0.113.11/32", "203.0.113.12/32", "203.0.113.13/32",
                "203.0.113.128/29", "203.0.113.136/29", "203.0.113.144/29",
                "2001:db8:3a::587/128", "2001:db8:100:1::/64", "2001:db8:100:2::/64", "2001:db8:100:3::/64", "2001:db8:ffff::11/128", "2001:db8:ffff::12/128",
                "fd00:10:96::/108",
            ],
            build.RuleSet.Excluded.Select(n => n.ToString()));
    }

    [Fact]
    public void An_unreadable_pod_range_is_a_problem_of_the_node_not_an_exception()
    {
        var networks = Networks.Add(new NodeNetwork("cwn4", ["203.0.113.14"], ["not-a-cidr"]));
        var build = Build("cwn1", "cwn1", "true", TwoPods, networks: networks);
        Assert.Contains(build.Problems, p => p.Service is null && p.Message.Contains("'not-a-cidr'", StringComparison.Ordinal));
        Assert.Equal(2, build.RuleSet.Entries.Length);
    }

    private static EgressBuild Build(
        string node,
        string? winner,
        string? label,
        ImmutableArray<EndpointView> endpoints,
        ImmutableArray<string> serviceCidrs = default,
        ImmutableArray<IPNetwork> extra = default,
        ImmutableArray<NodeNetwork> networks = default)
    {
        var view = new ServiceView
        {
            Key = SmtpOut,
            Labels = label is null ? ImmutableDictionary<string, string>.Empty : ImmutableDictionary<string, string>.Empty.Add(EgressSelection.RewriteSourceLabel, label),
            IngressIps = ["192.0.2.193", "2001:db8:3a::587"],
        };
        var decision = winner == node ? AnnounceDecision.Announce : AnnounceDecision.NotOwner;
        var plan = new SpeakerPlan
        {
            Usable = true,
            Services = [new ServiceDecision(SmtpOut, decision, [.. view.IngressIps], decision == AnnounceDecision.Announce ? new InterfaceSelection(false, ["eno2"]) : InterfaceSelection.None, winner)],
        };
        var cluster = new PlanInput
        {
            Resources = new ClusterResources(),
            Services = [view],
            Endpoints = ImmutableDictionary<ServiceKey, ServiceEndpoints>.Empty.Add(SmtpOut, new ServiceEndpoints(endpoints)),
            NodeNetworks = networks.IsDefault ? Networks : networks,
            ServiceCidrs = serviceCidrs.IsDefault ? [] : serviceCidrs,
        };
        return EgressRuleSetBuilder.Build(plan, cluster, node, extra.IsDefault ? [] : extra);
    }

    private static string Describe(EgressEntry e) =>
        $"{e.Service} {(e.Family == System.Net.Sockets.AddressFamily.InterNetwork ? "IPv4" : "IPv6")} {e.ServiceAddress} {e.Role} {string.Join(',', e.Sources)}"
        + (e.NextHop is null ? "" : $" via {e.NextHop}");
}
