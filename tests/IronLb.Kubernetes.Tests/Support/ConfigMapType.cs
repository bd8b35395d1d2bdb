using System.Text;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Informers;
using k8s;
using k8s.Models;

namespace IronLb.Kubernetes.Tests.Support;

/// <summary>ConfigMaps in default as a kind the informer and lease tests can use: any kind works, and these are free of Service defaulting.</summary>
internal static class ConfigMapType
{
    public static ResourceType<V1ConfigMap> InDefault { get; } = new(
        new ApiResource("v1", "configmaps", "ConfigMap", Namespaced: true),
        "default",
        json => KubernetesJson.Deserialize<V1ConfigMap>(json),
        map => KubernetesJson.Serialize(map),
        map => new ObjectMeta(map.Metadata.NamespaceProperty, map.Metadata.Name, map.Metadata.ResourceVersion),
        json => KubernetesJson.Deserialize<V1ConfigMap>(Encoding.UTF8.GetString(json)));
}
