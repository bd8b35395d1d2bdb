namespace IronLb.Manifests.Tests;

/// <summary>The reader remembers where each field is, so an error found later (by Core) can point at its line.</summary>
public sealed class FieldLinesTests
{
    private const string Text = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: external
        spec:
          addresses:
            - 198.51.100.0/28
            - 198.51.100.32/27
        ---
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: l2}
        spec: {ipAddressPools: [external, office], nodeSelectors: [{matchLabels: {a: b}}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
          annotations:
            metallb.io/loadBalancerIPs: 198.51.100.1
            metallb.io/address-pool: external
        spec:
          gatewayClassName: istio
          infrastructure:
            annotations:
              metallb.io/address-pool: other
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """;

    [Theory]
    [InlineData("m.yaml:1", "spec.addresses[1]", "m.yaml:8")]
    [InlineData("m.yaml:1", "spec.addresses", "m.yaml:7")]
    [InlineData("m.yaml:1", "metadata.name", "m.yaml:4")]
    [InlineData("m.yaml:10", "spec.ipAddressPools[1]", "m.yaml:13")]
    [InlineData("m.yaml:10", "spec.nodeSelectors[0]", "m.yaml:13")]
    [InlineData("m.yaml:15", "metadata.annotations[metallb.io/loadBalancerIPs]", "m.yaml:20")]
    [InlineData("m.yaml:15", "metadata.annotations[metallb.io/address-pool]", "m.yaml:26")]
    [InlineData("m.yaml:1", "spec.nothing", "m.yaml:1")]
    [InlineData("m.yaml:99", "spec.addresses[0]", "m.yaml:99")]
    [InlineData(null, "spec.addresses[0]", null)]
    public void Locate_gives_the_field_line_or_the_object_start(string? source, string field, string? expected)
    {
        var read = ManifestReader.ReadText("m.yaml", Text);

        Assert.Empty(read.Errors);
        Assert.Equal(expected, read.Locate(source, field));
    }
}
