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

    /// <summary>
    /// What a retry logs of <paramref name="exception"/> besides its <see cref="Describe">one line</see>: nothing for
    /// the API server's own failures (an error answer, no connection, a timeout), which repeat on every retry for
    /// as long as it is away and whose stack says nothing; the whole exception for anything else, which is a bug.
    /// </summary>
    public static Exception? StackWorthy(Exception exception) =>
        exception is KubeApiException or HttpRequestException or OperationCanceledException or TimeoutException or IOException
            ? null
            : exception;

    /// <summary>The failure in one line, with the socket's reason when the HTTP message leaves it out.</summary>
    public static string Describe(Exception exception) =>
        exception is HttpRequestException { InnerException: { } inner } && !exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{exception.GetType().Name}: {exception.Message} ({inner.Message})"
            : $"{exception.GetType().Name}: {exception.Message}";
}
