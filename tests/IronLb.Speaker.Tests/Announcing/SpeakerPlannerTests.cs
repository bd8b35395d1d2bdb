using System.Collections.Immutable;
using IronLb.Core.Announcement;
using IronLb.Manifests;
using IronLb.Speaker.Announcing;

namespace IronLb.Speaker.Tests.Announcing;

/// <summary>Which addresses node X answers for, on which interfaces, given lab-like manifests.</summary>
public sealed class SpeakerPlannerTests
{
    private static readonly string[] LabNodes = ["cwn1", "cwn2", "cwn3", "cwn4"];

    /// <summary>
    /// Expected tables for the lab manifests: "ip@interfaces" sorted. The winners are the SHA-256 election
    /// over cwn1–cwn4 for each Service's first address (the same as `ironlb plan examples/lab` prints).
    /// </summary>
    public static TheoryData<string, string[]> LabTables => new()
    {
        { "cwn1", ["198.51.100.254@eno3", "2001:db8:403::53@eno3"] },
        { "cwn2", ["192.0.2.192@eno2", "2001:db8:3a::25@eno2"] },
        { "cwn3", ["192.0.2.193@eno2", "2001:db8:3a::587@eno2"] },
        { "cwn4", ["192.0.2.194@eno2", "2001:db8:3a::143@eno2"] },
        { "not-a-node", [] },
    };

    [Theory]
    [MemberData(nameof(LabTables))]
    public void Lab_node_announces_what_it_wins_on_the_pools_interface(string node, string[] expected)
    {
        var plan = Plan(LabManifests.All(), node);
        Assert.True(plan.Usable, string.Join('\n', plan.Problems));
        Assert.Equal(expected, Rows(plan));
    }

    [Fact]
    public void Every_service_is_announced_by_exactly_one_node_and_both_families_go_together()
    {
        var plans = LabNodes.Select(n => Plan(LabManifests.All(), n)).ToList();
        foreach (var service in plans[0].Services)
        {
            var announcers = plans.Where(p => p.Services.Single(s => s.Service == service.Service).Announces).ToList();
            Assert.Single(announcers);
            Assert.Equal(2, service.Ips.Length);
        }

        // Every address appears in exactly one node's table.
        var all = plans.SelectMany(Rows).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(8, all.Count);
    }

    [Fact]
    public void Annotation_only_service_gets_its_addresses_as_the_controller_would_assign_them()
    {
        var plan = Plan(LabManifests.All(), "cwn2");
        var smtpin = plan.Services.Single(s => s.Service.Name == "smtpin");
        Assert.Equal(["192.0.2.192", "2001:db8:3a::25"], smtpin.Ips);
        Assert.Equal(AnnounceDecision.Announce, smtpin.Decision);
        Assert.DoesNotContain(plan.Services, s => s.Service.Name == "internal"); // ClusterIP: not ours
    }

    [Theory]
    [InlineData("cwn2")]
    [InlineData("cwn4")]
    public void Exclude_label_moves_the_nodes_addresses_to_another_node(string excluded)
    {
        var before = Plan(LabManifests.All(), excluded);
        Assert.NotEmpty(Rows(before));
        var nodes = string.Join("\n---\n", LabNodes.Select(n => n == excluded
            ? LabManifests.Node(n, $", {L2Election.ExcludeFromLoadBalancersLabel}: \"\"")
            : LabManifests.Node(n)));
        var after = LabNodes.ToDictionary(n => n, n => Plan(LabManifests.All(nodes), n));
        Assert.Empty(Rows(after[excluded]));
        Assert.All(after[excluded].Services, s => Assert.NotEqual(excluded, s.Winner));

        // Whatever the excluded node had is now somewhere else, exactly once.
        foreach (var row in Rows(before))
        {
            Assert.Single(after.Values, p => Rows(p).Contains(row));
        }

        // ... unless the speaker was told to ignore the label.
        var ignoring = SpeakerPlanner.Plan(ManifestReader.ReadText("lab.yaml", LabManifests.All(nodes)), excluded, [], ignoreExcludeLabel: true);
        Assert.Equal(Rows(before), Rows(ignoring));
    }

    [Fact]
    public void Speakers_override_limits_the_election_to_those_nodes()
    {
        ImmutableArray<string> speakers = ["cwn1", "cwn3"];
        var plans = LabNodes.ToDictionary(n => n, n => SpeakerPlanner.Plan(ManifestReader.ReadText("lab.yaml", LabManifests.All()), n, speakers));
        Assert.Empty(Rows(plans["cwn2"]));
        Assert.Empty(Rows(plans["cwn4"]));
        Assert.Equal(8, Rows(plans["cwn1"]).Count + Rows(plans["cwn3"]).Count);
        Assert.Equal(speakers, plans["cwn1"].Speakers);
    }

    [Fact]
    public void Local_traffic_policy_elects_among_nodes_with_a_serving_endpoint()
    {
        const string local = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: web}
            spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80, protocol: TCP}]}
            status: {loadBalancer: {ingress: [{ip: 192.0.2.180}]}}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: web
              labels: {kubernetes.io/service-name: web}
            addressType: IPv4
            endpoints:
              - addresses: [10.0.0.1]
                nodeName: cwn3
                conditions: {ready: true}
              - addresses: [10.0.0.2]
                nodeName: cwn1
                conditions: {ready: false, serving: false}
            """;
        var text = LabManifests.All(extra: local);
        var announcers = LabNodes.Where(n => Rows(Plan(text, n)).Contains("192.0.2.180@eno2")).ToList();
        Assert.Equal(["cwn3"], announcers);
    }

    [Fact]
    public void Without_endpoint_slices_every_speaker_is_assumed_to_serve()
    {
        const string local = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: web}
            spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80, protocol: TCP}]}
            status: {loadBalancer: {ingress: [{ip: 192.0.2.180}]}}
            """;
        var text = LabManifests.All(extra: local);
        Assert.Single(LabNodes, n => Rows(Plan(text, n)).Contains("192.0.2.180@eno2"));
    }

    [Fact]
    public void Advertisement_without_interfaces_announces_on_all_and_a_node_specific_one_adds_interfaces()
    {
        const string extra = """
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {name: office-cwn1-backup, namespace: metallb-system}
            spec:
              ipAddressPools: [office]
              nodeSelectors: [{matchLabels: {kubernetes.io/hostname: cwn1}}]
              interfaces: [eno4]
            """;
        Assert.Equal(["198.51.100.254@eno3,eno4", "2001:db8:403::53@eno3,eno4"], Rows(Plan(LabManifests.All(extra: extra), "cwn1")));

        var all = LabManifests.All().Replace("  interfaces: [eno3]", "", StringComparison.Ordinal);
        Assert.Equal(["198.51.100.254@*", "2001:db8:403::53@*"], Rows(Plan(all, "cwn1")));
    }

    [Theory]
    [InlineData("status ingress outside every pool", "status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}", "")]
    [InlineData("no address at all", "", "")]
    public void Service_without_a_usable_address_is_not_announced(string why, string status, string annotations)
    {
        var service = $$"""
            apiVersion: v1
            kind: Service
            metadata: {name: odd, namespace: web{{annotations}}}
            spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
            {{status}}
            """;
        var plans = LabNodes.Select(n => Plan(LabManifests.All(extra: service), n)).ToList();
        Assert.All(plans, p => Assert.False(p.Services.Single(s => s.Service.Name == "odd").Announces, why));
        Assert.All(plans, p => Assert.DoesNotContain("203.0.113.7", string.Join(' ', Rows(p)), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("invalid YAML", "kind: [unclosed")]
    [InlineData("invalid pool", "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: broken, namespace: metallb-system}\nspec: {addresses: [not-a-cidr]}")]
    [InlineData("overlapping pools", "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: twin, namespace: metallb-system}\nspec: {addresses: [192.0.2.192/28]}")]
    public void Unusable_input_is_refused_whole_with_the_reason(string why, string extra)
    {
        var plan = Plan(LabManifests.All(extra: extra), "cwn2");
        Assert.False(plan.Usable, why);
        Assert.NotEmpty(plan.Problems);
        Assert.Equal(0, plan.Table.Count);
    }

    [Fact]
    public void An_advertisement_naming_a_missing_pool_is_a_warning_and_the_plan_stays_usable()
    {
        // MetalLB ignores the unknown name; plan, the controller and the cluster speaker say the same.
        const string extra = "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: typo, namespace: metallb-system}\nspec: {ipAddressPools: [nope]}";
        var plan = Plan(LabManifests.All(extra: extra), "cwn2");

        Assert.True(plan.Usable, string.Join('\n', plan.Problems));
        var problem = Assert.Single(plan.Problems);
        Assert.Matches("^lab\\.yaml:[0-9]+: L2Advertisement metallb-system/typo: ipAddressPools names pool \"nope\", which does not exist; the pools are ", problem);
        Assert.Equal(Rows(Plan(LabManifests.All(), "cwn2")), Rows(plan));
    }

    internal static SpeakerPlan Plan(string text, string node) =>
        SpeakerPlanner.Plan(ManifestReader.ReadText("lab.yaml", text), node, []);

    /// <summary>The table as sorted "ip@interfaces" rows ("*" = all interfaces).</summary>
    internal static List<string> Rows(SpeakerPlan plan) =>
        [.. plan.Table.Addresses
            .Select(ip => plan.Table.TryGetInterfaces(ip, out var where) ? $"{ip}@{where}" : $"{ip}@?")
            .Order(StringComparer.Ordinal)];
}
