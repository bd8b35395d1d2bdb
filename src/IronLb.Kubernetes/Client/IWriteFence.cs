namespace IronLb.Kubernetes.Client;

/// <summary>
/// What a fenced writer checks immediately before each write (<see cref="KubeConnection.Fenced"/>): the
/// leadership term it writes under.
/// </summary>
public interface IWriteFence
{
    /// <summary>
    /// The term's token, cancelled the moment the term ends, so a write in flight is cancelled with it.
    /// Throws <see cref="LeadershipLostException"/> when the term has ended already: the write must not be sent.
    /// </summary>
    CancellationToken Enter();

    /// <summary>The timeout of each fenced write, short enough that a write sent just before the term ends lands before another leader can start.</summary>
    TimeSpan WriteTimeout { get; }
}

/// <summary>A write was refused or cancelled because the leadership term it ran under ended.</summary>
public sealed class LeadershipLostException : OperationCanceledException
{
    public LeadershipLostException()
    {
    }

    public LeadershipLostException(string message)
        : base(message)
    {
    }

    public LeadershipLostException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public LeadershipLostException(string message, CancellationToken term)
        : base(message, term)
    {
    }
}
