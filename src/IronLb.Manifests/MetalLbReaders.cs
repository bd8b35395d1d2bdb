using System.Collections.Frozen;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>IPAddressPool and L2Advertisement (metallb.io/v1beta1), checked against MetalLB v0.16.1's CRD schemas.</summary>
internal static class MetalLbReaders
{
    private static readonly FrozenSet<string> PoolSpecFields = FrozenSet.Create(StringComparer.Ordinal,
        "addresses", "autoAssign", "avoidBuggyIPs", "serviceAllocation");

    private static readonly FrozenSet<string> ServiceAllocationFields = FrozenSet.Create(StringComparer.Ordinal,
        "priority", "namespaces", "namespaceSelectors", "serviceSelectors");

    private static readonly FrozenSet<string> PoolStatusFields = FrozenSet.Create(StringComparer.Ordinal,
        "assignedIPv4", "assignedIPv6", "availableIPv4", "availableIPv6");

    private static readonly FrozenSet<string> L2SpecFields = FrozenSet.Create(StringComparer.Ordinal,
        "ipAddressPools", "ipAddressPoolSelectors", "nodeSelectors", "interfaces", "serviceSelectors");

    public static IpAddressPoolResource? ReadPool(MappingNode root, ObjectRef reference, ObjectMetadata metadata, ObjectContext context)
    {
        var spec = context.Mapping(root, "spec", "", required: true);
        if (root["status"] is MappingNode status)
        {
            context.RejectUnknown(status, "status", PoolStatusFields);
        }

        if (spec is null)
        {
            return null;
        }

        context.RejectUnknown(spec, "spec", PoolSpecFields);
        var addresses = context.StringList(spec, "addresses", "spec");
        if (spec["addresses"] is null)
        {
            context.Error(spec, "missing required field \"spec.addresses\"");
        }

        ServiceAllocationSpec? allocation = null;
        if (context.Mapping(spec, "serviceAllocation", "spec") is { } alloc)
        {
            const string path = "spec.serviceAllocation";
            context.RejectUnknown(alloc, path, ServiceAllocationFields);
            var priority = context.Integer(alloc, "priority", path) ?? 0;
            if (priority is < int.MinValue or > int.MaxValue)
            {
                context.Error(alloc["priority"], $"{path}.priority: {priority} is out of range");
            }

            allocation = new ServiceAllocationSpec
            {
                Priority = (int)Math.Clamp(priority, int.MinValue, int.MaxValue),
                Namespaces = context.StringList(alloc, "namespaces", path),
                NamespaceSelectors = LabelSelectorReader.ReadList(alloc, "namespaceSelectors", path, context),
                ServiceSelectors = LabelSelectorReader.ReadList(alloc, "serviceSelectors", path, context),
            };
        }

        return new IpAddressPoolResource
        {
            Ref = reference,
            Labels = metadata.Labels,
            Addresses = addresses,
            AutoAssign = context.Bool(spec, "autoAssign", "spec"),
            AvoidBuggyIps = context.Bool(spec, "avoidBuggyIPs", "spec") ?? false,
            ServiceAllocation = allocation,
        };
    }

    public static L2AdvertisementResource? ReadL2Advertisement(MappingNode root, ObjectRef reference, ObjectContext context)
    {
        // Every spec field is optional, and so is spec itself: an empty advertisement covers all pools.
        var spec = context.Mapping(root, "spec", "");
        if (spec is null)
        {
            return new L2AdvertisementResource { Ref = reference };
        }

        context.RejectUnknown(spec, "spec", L2SpecFields);
        return new L2AdvertisementResource
        {
            Ref = reference,
            IpAddressPools = context.StringList(spec, "ipAddressPools", "spec"),
            IpAddressPoolSelectors = LabelSelectorReader.ReadList(spec, "ipAddressPoolSelectors", "spec", context),
            NodeSelectors = LabelSelectorReader.ReadList(spec, "nodeSelectors", "spec", context),
            Interfaces = context.StringList(spec, "interfaces", "spec"),
            ServiceSelectors = LabelSelectorReader.ReadList(spec, "serviceSelectors", "spec", context),
        };
    }
}
