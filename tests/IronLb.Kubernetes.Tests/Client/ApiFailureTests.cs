using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IronLb.Kubernetes.Client;

namespace IronLb.Kubernetes.Tests.Client;

/// <summary>
/// Which failures a retry logs in one line and which with their stack: while the API server is away every
/// informer and writer retries, so a stack per retry buried the one line that said why.
/// </summary>
public sealed class ApiFailureTests
{
    public static TheoryData<string, Exception, bool> Rows => new()
    {
        { "connection refused", new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused)), false },
        { "error answer", new KubeApiException(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "etcd down"), false },
        { "request timeout", new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"), false },
        { "connection cut mid-body", new IOException("The response ended prematurely."), false },
        { "timeout", new TimeoutException("no answer"), false },
        { "unreadable body (a model of ours may be wrong)", new JsonException("'<' is an invalid start of a value."), true },
        { "our bug", new InvalidOperationException("Sequence contains no elements"), true },
        { "our argument check", new ArgumentException("bad key"), true },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Only_failures_that_are_not_the_API_server_s_keep_their_stack(string what, Exception exception, bool withStack)
    {
        Assert.True(withStack == (ApiFailure.StackWorthy(exception) is not null), what);
        Assert.StartsWith(exception.GetType().Name + ": ", ApiFailure.Describe(exception), StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_failure_names_the_socket_s_reason_when_the_message_leaves_it_out()
    {
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        Assert.Equal($"HttpRequestException: An error occurred while sending the request. ({refused.Message})",
            ApiFailure.Describe(new HttpRequestException("An error occurred while sending the request.", refused)));
        Assert.Equal("HttpRequestException: Connection refused (127.0.0.1:9)",
            ApiFailure.Describe(new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused))));
    }
}
