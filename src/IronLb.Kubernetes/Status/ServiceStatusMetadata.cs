using IronLb.Core.Allocation;
using IronLb.Kubernetes.Crds;
using k8s.Models;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// The metadata MetalLB gives a speaker's per-Service status object (ServiceL2Status, ServiceBGPStatus): a generated
/// name with the mode's prefix, MetalLB's namespace, the node/service-name/service-namespace labels the speakers
/// select their own objects by, and the speaker Pod as owner when known.
/// </summary>
internal static class ServiceStatusMetadata
{
    public static V1ObjectMeta For(string generateName, string ns, string node, ServiceKey service, V1OwnerReference? owner) => new()
    {
        GenerateName = generateName,
        NamespaceProperty = ns,
        Labels = new Dictionary<string, string>
        {
            [MetalLbLabels.Node] = node,
            [MetalLbLabels.ServiceName] = service.Name,
            [MetalLbLabels.ServiceNamespace] = service.Namespace,
        },
        OwnerReferences = owner is null ? null : [owner],
    };
}
