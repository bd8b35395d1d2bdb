using System.Text.Json;
using k8s;
using k8s.Models;

namespace IronLb.Controller.Tests;

/// <summary>Objects the controller tests create, through the real client.</summary>
internal static class HarnessObjects
{
    public static Task CreatePoolAsync(this ControllerHarness harness, string name, string addressesJson, string extraSpec = "")
    {
        var json = "{\"apiVersion\":\"metallb.io/v1beta1\",\"kind\":\"IPAddressPool\",\"metadata\":{\"name\":\"" + name
            + "\",\"namespace\":\"metallb-system\"},\"spec\":{\"addresses\":" + addressesJson + extraSpec + "}}";
        return harness.Client.CreateNamespacedCustomObjectAsync(json, "metallb.io", "v1beta1", "metallb-system", "ipaddresspools");
    }

    public static Task<V1Service> CreateServiceAsync(this ControllerHarness harness, string ns, string name, IDictionary<string, string>? annotations = null, int port = 80) =>
        harness.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = port }] },
        }, ns);

    public static async Task<IReadOnlyList<V1Service>> LoadBalancersAsync(this ControllerHarness harness) =>
        [.. (await harness.Client.CoreV1.ListServiceForAllNamespacesAsync()).Items.Where(s => s.Spec.Type == "LoadBalancer")];

    public static async Task<string> PoolJsonAsync(this ControllerHarness harness, string name) =>
        JsonSerializer.Serialize(await harness.Client.CustomObjects.GetNamespacedCustomObjectAsync("metallb.io", "v1beta1", "metallb-system", "ipaddresspools", name));
}
