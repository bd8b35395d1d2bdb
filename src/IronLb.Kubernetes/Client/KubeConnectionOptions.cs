namespace IronLb.Kubernetes.Client;

/// <summary>How long a <see cref="KubeConnection"/> waits for the API server, and how it names itself.</summary>
public sealed record KubeConnectionOptions
{
    /// <summary>The default per-attempt timeout: long enough for a busy API server, short enough that a black hole costs seconds, not the 100 s of HttpClient.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The default watch idle timeout. kube-apiserver sends a bookmark to a watch that asks for them about once
    /// a minute, so 90 s of silence means a dead stream, not a quiet one.
    /// </summary>
    public static readonly TimeSpan DefaultWatchIdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Every request but a watch's stream must be answered in full within this, else it is cancelled (the socket closed) and fails as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>A watch that delivers no line (event or bookmark) for this long is closed and fails with <see cref="WatchIdleException"/>.</summary>
    public TimeSpan WatchIdleTimeout { get; init; } = DefaultWatchIdleTimeout;

    /// <summary>Sent as the User-Agent of every request ("ironlb-controller/replica-a"), so the API server's logs and audit say who asked.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The clock the timeouts run on (the monotonic timers of <see cref="TimeProvider"/>).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Every problem with these options (collect-all); empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"the request timeout must be positive, not {RequestTimeout}");
        }

        if (WatchIdleTimeout <= TimeSpan.Zero && WatchIdleTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"the watch idle timeout must be positive, not {WatchIdleTimeout}");
        }

        return errors;
    }
}
