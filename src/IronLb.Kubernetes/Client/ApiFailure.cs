using System.Text.Json;

namespace IronLb.Kubernetes.Client;

/// <summary>What a request to the API server fails with, short of our own shutdown: the one filter every writer's retry uses.</summary>
public static class ApiFailure
{
    /// <summary>
    /// An error answer, no connection, an unreadable body, or a request timeout (a cancellation that is not
    /// <paramref name="shutdown"/>'s, which must stay a shutdown and never become a retry).
    /// </summary>
    public static bool Is(Exception exception, CancellationToken shutdown) =>
        exception is KubeApiException or HttpRequestException or JsonException
        || (exception is OperationCanceledException && !shutdown.IsCancellationRequested);
}
