using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Planning;

namespace IronLb.Core.Tests.Planning;

/// <summary>Which field a Service's Warning event points at, so plan can name the line to edit.</summary>
public sealed class ServiceRequestFieldTests
{
    [Theory]
    [InlineData("AllocationFailed", "metallb.io/loadBalancerIPs=192.0.2.1", null, "metadata.annotations[metallb.io/loadBalancerIPs]")]
    [InlineData("AllocationFailed", "metallb.universe.tf/loadBalancerIPs=192.0.2.1", null, "metadata.annotations[metallb.universe.tf/loadBalancerIPs]")]
    [InlineData("AllocationFailed", "metallb.io/loadBalancerIPs=192.0.2.1;metallb.universe.tf/loadBalancerIPs=192.0.2.2", null, "metadata.annotations[metallb.io/loadBalancerIPs]")]
    [InlineData("AllocationFailed", "", "192.0.2.1", "spec.loadBalancerIP")]
    [InlineData("AllocationFailed", "metallb.io/address-pool=nope", null, "metadata.annotations[metallb.io/address-pool]")]
    [InlineData("LoadBalancerFailed", "metallb.io/loadBalancerIPs=x", null, "metadata.annotations[metallb.io/loadBalancerIPs]")]
    [InlineData("AllocationFailed", "", null, null)]
    [InlineData("not enough clusterips", "", null, "spec.ipFamilyPolicy")]
    [InlineData("nolbIPsIPFamily", "metallb.io/loadBalancerIPs=192.0.2.1", null, null)]
    public void Points_at_what_asked_for_the_addresses(string reason, string annotations, string? loadBalancerIp, string? expected)
    {
        var service = new ServiceView
        {
            Key = new ServiceKey("ns", "web"),
            LoadBalancerIp = loadBalancerIp,
            Annotations = annotations.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a.Split('=', 2))
                .ToImmutableDictionary(a => a[0], a => a[1]),
        };

        Assert.Equal(expected, ServiceRequestField.Of(service, new ServiceEvent(EventType.Warning, reason, "message")));
    }

    [Fact]
    public void A_deprecated_annotation_warning_points_at_that_annotation()
    {
        var service = new ServiceView
        {
            Key = new ServiceKey("ns", "web"),
            Annotations = ImmutableDictionary<string, string>.Empty.Add("metallb.universe.tf/address-pool", "p").Add("metallb.universe.tf/allow-shared-ip", "k"),
        };
        var warning = new ServiceEvent(EventType.Warning, EventReasons.DeprecatedAnnotation, "Service uses the deprecated annotation \"metallb.universe.tf/allow-shared-ip\", use \"metallb.io/allow-shared-ip\" instead");

        Assert.Equal("metadata.annotations[metallb.universe.tf/allow-shared-ip]", ServiceRequestField.Of(service, warning));
    }
}
