namespace IronLb.Kubernetes.Client;

/// <summary>A watch delivered nothing, not even a bookmark, for its idle timeout: the stream is presumed dead and was closed.</summary>
public sealed class WatchIdleException : TimeoutException
{
    public WatchIdleException()
    {
    }

    public WatchIdleException(string message)
        : base(message)
    {
    }

    public WatchIdleException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
