using IronLb.Core.Allocation;

namespace IronLb.Manifests.Tests;

public sealed class ManifestReaderTests
{
    [Fact]
    public void Reads_pool_and_advertisement_fields()
    {
        var read = ManifestReader.ReadText("pools.yaml", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata:
              name: external
              namespace: metallb-system
              labels: {tier: public}
            spec:
              autoAssign: false
              avoidBuggyIPs: true
              addresses: [192.0.2.0/24, "2001:db8::/64"]
              serviceAllocation:
                priority: 5
                namespaces: [mail]
                namespaceSelectors:
                  - matchLabels: {team: a}
                serviceSelectors:
                  - matchExpressions:
                      - {key: app, operator: In, values: [web]}
            ---
            apiVersion: metallb.io/v1beta1
            kind: L2Advertisement
            metadata: {name: external, namespace: metallb-system}
            spec:
              ipAddressPools: [external]
              interfaces: [eno2]
              nodeSelectors:
                - matchLabels: {kubernetes.io/hostname: cwn1}
            """);

        Assert.Empty(read.Errors);
        var pool = Assert.Single(read.Resources.Pools);
        Assert.Equal("external", pool.Name);
        Assert.Equal("metallb-system", pool.Ref.Namespace);
        Assert.Equal("pools.yaml:1", pool.Ref.Source);
        Assert.False(pool.AutoAssign);
        Assert.True(pool.AvoidBuggyIps);
        Assert.Equal(["192.0.2.0/24", "2001:db8::/64"], pool.Addresses);
        Assert.Equal("public", pool.Labels["tier"]);
        Assert.Equal(5, pool.ServiceAllocation!.Priority);
        Assert.Equal(["mail"], pool.ServiceAllocation.Namespaces);
        Assert.Equal("a", pool.ServiceAllocation.NamespaceSelectors.Single().MatchLabels["team"]);
        var requirement = pool.ServiceAllocation.ServiceSelectors.Single().MatchExpressions.Single();
        Assert.Equal(("app", "In", "web"), (requirement.Key, requirement.Operator, requirement.Values.Single()));

        var advertisement = Assert.Single(read.Resources.L2Advertisements);
        Assert.Equal("pools.yaml:20", advertisement.Ref.Source);
        Assert.Equal(["external"], advertisement.IpAddressPools);
        Assert.Equal(["eno2"], advertisement.Interfaces);
        Assert.Equal("cwn1", advertisement.NodeSelectors.Single().MatchLabels["kubernetes.io/hostname"]);
    }

    [Fact]
    public void Absent_autoAssign_stays_null_and_missing_namespace_means_the_config_namespace()
    {
        var read = ManifestReader.ReadText("p.yaml", """
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: p}
            spec: {addresses: [192.0.2.0/28]}
            """);

        var pool = Assert.Single(read.Resources.Pools);
        Assert.Null(pool.AutoAssign);
        Assert.Equal("metallb-system", pool.Ref.Namespace);
    }

    [Fact]
    public void Reads_a_service_with_every_field_plan_uses()
    {
        var read = ManifestReader.ReadText("svc.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
              labels: {app: web}
              annotations: {metallb.io/loadBalancerIPs: "192.0.2.10"}
              creationTimestamp: "2026-01-02T03:04:05Z"
            spec:
              type: LoadBalancer
              loadBalancerClass: example.com/lb
              externalTrafficPolicy: Local
              clusterIPs: [10.0.0.7]
              ipFamilyPolicy: SingleStack
              selector: {app: web}
              ports:
                - {name: http, port: 80}
                - {name: dns, port: 53, protocol: UDP}
            status:
              loadBalancer:
                ingress: [{ip: 192.0.2.10}, {hostname: example.com}]
            """);

        Assert.Empty(read.Errors);
        var service = Assert.Single(read.Services);
        Assert.Equal(new ServiceKey("shop", "web"), service.Key);
        Assert.True(service.IsLoadBalancer);
        Assert.Equal("192.0.2.10", service.Annotations["metallb.io/loadBalancerIPs"]);
        Assert.Equal("example.com/lb", service.LoadBalancerClass);
        Assert.True(service.ExternalTrafficPolicyLocal);
        Assert.Equal(["10.0.0.7"], service.ClusterIps);
        Assert.Equal([new ServicePort("TCP", 80), new ServicePort("UDP", 53)], service.Ports);
        Assert.Equal(["192.0.2.10", ""], service.IngressIps);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), service.CreationTimestamp);
        Assert.Equal("svc.yaml:1", read.ServiceSources[service.Key]);
    }

    [Fact]
    public void Service_without_namespace_is_in_default_and_its_namespace_exists_with_the_name_label()
    {
        var read = ManifestReader.ReadText("svc.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
            """);

        Assert.Equal("default", Assert.Single(read.Services).Key.Namespace);
        var ns = Assert.Single(read.Resources.Namespaces);
        Assert.Equal("default", ns.Labels["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public void Gateway_becomes_the_service_istio_creates()
    {
        var read = ManifestReader.ReadText("gw.yaml", """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: support
              namespace: zammad
              labels: {team: it}
              annotations:
                metallb.io/loadBalancerIPs: 192.0.2.1,2001:db8::1
                metallb.io/address-pool: external
            spec:
              gatewayClassName: istio
              infrastructure:
                annotations: {metallb.io/address-pool: office}
                labels: {zone: a}
              listeners:
                - {name: http, port: 80, protocol: HTTP}
                - {name: https, port: 443, protocol: HTTPS}
                - {name: https-2, port: 443, protocol: HTTPS, hostname: other.example}
                - {name: quic, port: 443, protocol: UDP}
            """);

        Assert.Empty(read.Errors);
        var service = Assert.Single(read.Services);
        Assert.Equal(new ServiceKey("zammad", "support-istio"), service.Key);
        Assert.True(service.IsLoadBalancer);
        Assert.Equal(IpFamilyPolicy.PreferDualStack, service.IpFamilyPolicy);
        Assert.Equal("192.0.2.1,2001:db8::1", service.Annotations["metallb.io/loadBalancerIPs"]);
        Assert.Equal("office", service.Annotations["metallb.io/address-pool"]);
        Assert.Equal("it", service.Labels["team"]);
        Assert.Equal("a", service.Labels["zone"]);
        Assert.Equal("support", service.Labels["gateway.networking.k8s.io/gateway-name"]);
        Assert.Equal([new ServicePort("TCP", 80), new ServicePort("TCP", 443), new ServicePort("UDP", 443)], service.Ports);
        Assert.Equal(["IPv4", "IPv6"], service.IpFamilies);
        Assert.Equal(2, service.ClusterIps.Length);
    }

    [Fact]
    public void Istio_service_type_annotation_and_waypoints_are_honoured()
    {
        var read = ManifestReader.ReadText("gw.yaml", """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: internal
              annotations: {networking.istio.io/service-type: ClusterIP}
            spec:
              gatewayClassName: istio
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: waypoint}
            spec:
              gatewayClassName: istio-waypoint
              listeners: [{name: mesh, port: 15008, protocol: HBONE}]
            """);

        Assert.All(read.Services, s => Assert.False(s.IsLoadBalancer));
    }

    [Fact]
    public void Other_groups_gateway_and_service_are_someone_elses_kinds()
    {
        var read = ManifestReader.ReadText("other.yaml", """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: classic}
            ---
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: fn}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            ---
            replicaCount: 3
            """);

        Assert.Empty(read.Errors);
        Assert.Empty(read.Services);
        Assert.Equal(2, read.IgnoredKinds["Deployment.apps"]);
        Assert.Equal(1, read.IgnoredKinds["Gateway.networking.istio.io"]);
        Assert.Equal(1, read.IgnoredKinds["Service.serving.knative.dev"]);
        Assert.Equal(1, read.IgnoredKinds["ConfigMap"]);
        Assert.Equal(1, read.IgnoredKinds["(documents without apiVersion and kind)"]);
    }

    [Fact]
    public void Reads_lists_nodes_namespaces_and_endpoint_slices()
    {
        var read = ManifestReader.ReadText("list.yaml", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Node
                metadata: {name: cwn1, labels: {zone: a}}
                status:
                  conditions:
                    - {type: Ready, status: "True"}
                    - {type: NetworkUnavailable, status: "True"}
              - apiVersion: v1
                kind: Namespace
                metadata: {name: mail, labels: {team: it}}
              - apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: smtp-abc
                  namespace: mail
                  labels: {kubernetes.io/service-name: smtp}
                addressType: IPv4
                endpoints:
                  - addresses: [10.244.0.5]
                    nodeName: cwn1
                    conditions: {ready: true}
                  - addresses: [10.244.1.5]
                    nodeName: cwn2
                    conditions: {ready: false, serving: true}
              - apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: smtp-def
                  namespace: mail
                  labels: {kubernetes.io/service-name: smtp}
                addressType: IPv6
                endpoints:
                  - addresses: ["fd00::5"]
                    nodeName: cwn3
            """);

        Assert.Empty(read.Errors);
        var node = Assert.Single(read.Resources.Nodes);
        Assert.True(node.NetworkUnavailable);
        Assert.Equal("a", node.Labels["zone"]);
        var ns = Assert.Single(read.Resources.Namespaces);
        Assert.Equal(("it", "mail"), (ns.Labels["team"], ns.Labels["kubernetes.io/metadata.name"]));
        var endpoints = read.Endpoints[new ServiceKey("mail", "smtp")].Endpoints;
        Assert.Equal(["cwn1", "cwn2", "cwn3"], endpoints.Select(e => e.NodeName));
        Assert.Equal([true, true, true], endpoints.Select(e => e.CanServe));
        Assert.Equal(false, endpoints[1].Ready);
    }

    [Fact]
    public void Json_is_read_with_line_numbers()
    {
        var read = ManifestReader.ReadText("pool.json", """
            {
              "apiVersion": "metallb.io/v1beta1",
              "kind": "IPAddressPool",
              "metadata": {"name": "p"},
              "spec": {
                "addresses": ["192.0.2.0/28"],
                "autoAssign": "no"
              }
            }
            """);

        var error = Assert.Single(read.Errors);
        Assert.Equal("pool.json:7", error.Location);
        Assert.Equal("IPAddressPool metallb-system/p", error.ObjectName);
        Assert.Contains("spec.autoAssign: expected a boolean, got a string", error.Message, StringComparison.Ordinal);
        Assert.Empty(read.Resources.Pools);
    }

    [Fact]
    public void Duplicate_objects_keep_the_first_and_name_both_places()
    {
        var doc = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
            """;
        var read = ManifestReader.ReadText("two.yaml", doc + "\n---\n" + doc);

        Assert.Single(read.Services);
        var error = Assert.Single(read.Errors);
        Assert.Equal("two.yaml:6", error.Location);
        Assert.Contains("defined twice; the definition at two.yaml:1 is used", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_anchors_and_merge_keys_resolve()
    {
        var read = ManifestReader.ReadText("anchors.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: &labels {app: web, tier: front}
            spec:
              type: LoadBalancer
              selector:
                <<: *labels
                tier: back
              ports: [{port: 80}]
            """);

        Assert.Empty(read.Errors);
        var service = Assert.Single(read.Services);
        Assert.Equal("front", service.Labels["tier"]);
        Assert.Equal(("web", "back"), (service.Selector["app"], service.Selector["tier"]));
    }

    [Fact]
    public void Invalid_yaml_is_fatal_with_file_and_line()
    {
        var read = ManifestReader.ReadText("broken.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n");

        var fatal = Assert.Single(read.FatalErrors);
        Assert.StartsWith("broken.yaml:", fatal.Location, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", fatal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_yaml_keys_are_fatal_and_name_both_lines()
    {
        var read = ManifestReader.ReadText("dup.yaml", "apiVersion: v1\nkind: Service\nkind: Node\n");

        var fatal = Assert.Single(read.FatalErrors);
        Assert.Equal("dup.yaml:3", fatal.Location);
        Assert.Contains("already defined at line 2", fatal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_nulls_and_empty_documents_are_absent()
    {
        var read = ManifestReader.ReadText("nulls.yaml", """
            ---
            # nothing here
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, labels: null}
            spec: {type: LoadBalancer, loadBalancerIP: ~, ports: [{port: 80}]}
            ---
            """);

        Assert.Empty(read.Errors);
        Assert.Null(Assert.Single(read.Services).LoadBalancerIp);
    }

    [Fact]
    public void Quoted_numbers_are_strings_and_plain_numbers_are_not()
    {
        var read = ManifestReader.ReadText("labels.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: web, labels: {version: "1", build: 2}}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
            """);

        var error = Assert.Single(read.Errors);
        Assert.Contains("metadata.labels[build]: expected a string, got a number", error.Message, StringComparison.Ordinal);
        Assert.Empty(read.Services);
    }
}
