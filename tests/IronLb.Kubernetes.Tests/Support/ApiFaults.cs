using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace IronLb.Kubernetes.Tests.Support;

/// <summary>
/// Faults on the real HTTP path between a client and KubeSim: requests answered 503 as an overloaded API
/// server would, and watch requests held back as if the client were slow to reconnect. Every request is
/// recorded with the virtual time it was sent at.
/// </summary>
internal sealed class ApiFaults(TimeProvider time) : DelegatingHandler
{
    private readonly object _gate = new();
    private Func<HttpRequestMessage, bool> _fail = _ => false;
    private TaskCompletionSource? _watchGate;

    public ConcurrentQueue<(HttpMethod Method, string PathAndQuery, bool Watch, DateTimeOffset At)> Requests { get; } = new();

    public int HeldWatches { get; private set; }

    /// <summary>Runs before each request is sent on: a test's writes "between" two requests of one client call.</summary>
    public Func<HttpRequestMessage, Task>? BeforeSend { get; set; }

    /// <summary>Requests matching <paramref name="when"/> get 503 until this is called again.</summary>
    public void Fail(Func<HttpRequestMessage, bool> when)
    {
        lock (_gate)
        {
            _fail = when;
        }
    }

    public void Heal() => Fail(_ => false);

    /// <summary>Watch requests from now on wait until <see cref="ReleaseWatches"/>.</summary>
    public void HoldWatches()
    {
        lock (_gate)
        {
            _watchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseWatches()
    {
        lock (_gate)
        {
            _watchGate?.TrySetResult();
            _watchGate = null;
        }
    }

    public static bool IsWatch(HttpRequestMessage request) => request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) ?? false;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var watch = IsWatch(request);
        if (BeforeSend is { } before)
        {
            await before(request);
        }

        Requests.Enqueue((request.Method, request.RequestUri?.PathAndQuery ?? "", watch, time.GetUtcNow()));
        Task? held;
        bool fail;
        lock (_gate)
        {
            held = watch ? _watchGate?.Task : null;
            fail = _fail(request);
            if (held is not null)
            {
                HeldWatches++;
            }
        }

        if (held is not null)
        {
            await held.WaitAsync(cancellationToken);
        }

        if (fail)
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"ServiceUnavailable","message":"injected by the test","code":503}""", Encoding.UTF8, "application/json"),
            };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
