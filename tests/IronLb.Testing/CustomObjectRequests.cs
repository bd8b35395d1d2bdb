using System.Net.Http.Headers;
using System.Text;

namespace IronLb.Testing;

/// <summary>
/// Creates a custom object from its JSON text through a KubernetesClient's own HTTP client and credentials.
/// KubernetesClient.Aot's CustomObjects.Create takes an <c>object</c> body and writes it with source-generated
/// JSON, which knows the built-in models only: a JsonElement or JsonNode body fails there with
/// NotSupportedException before any request is sent. The JSON goes to the API server as it is here.
/// </summary>
public static class CustomObjectRequests
{
    public static async Task CreateNamespacedCustomObjectAsync(
        this k8s.Kubernetes client, string json, string group, string version, string ns, string plural, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(client.BaseUri, $"apis/{group}/{version}/namespaces/{ns}/{plural}"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"POST {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}", null, response.StatusCode);
        }
    }
}
