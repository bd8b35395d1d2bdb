using System.Net;

namespace IronLb.Kubernetes.Client;

/// <summary>A non-success answer of the API server, with the Status body's reason and message.</summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public KubeApiException(HttpStatusCode status, string reason, string message)
        : base($"{(int)status} {reason}: {message}")
    {
        Status = status;
        Reason = reason;
    }

    public HttpStatusCode Status { get; }

    public string Reason { get; } = "";

    public bool IsConflict => Status == HttpStatusCode.Conflict;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    public bool IsGone => Status == HttpStatusCode.Gone;
}
