using System.Collections.Concurrent;

namespace IronLb.Bench;

/// <summary>Counts a client's requests by method (watches apart), and the 409s it got back.</summary>
internal sealed class RequestCounter : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, int> _byMethod = new(StringComparer.Ordinal);
    private int _conflicts;
    private int _watches;

    public int Total => _byMethod.Values.Sum();

    public int Writes => _byMethod.Where(p => p.Key != "GET").Sum(p => p.Value);

    public int Conflicts => _conflicts;

    public ConcurrentBag<string> WritePaths { get; } = [];

    public int Count(string method) => _byMethod.GetValueOrDefault(method);

    /// <summary>Watch requests (GET with watch=true): long-lived streams, counted when they are opened.</summary>
    public int Watches => _watches;

    public void Reset()
    {
        _byMethod.Clear();
        _conflicts = 0;
        _watches = 0;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _byMethod.AddOrUpdate(request.Method.Method, 1, (_, n) => n + 1);
        if (request.RequestUri?.Query.Contains("watch=", StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _watches);
        }

        if (request.Method != HttpMethod.Get)
        {
            WritePaths.Add($"{request.Method} {request.RequestUri?.AbsolutePath}");
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            Interlocked.Increment(ref _conflicts);
        }

        return response;
    }
}
