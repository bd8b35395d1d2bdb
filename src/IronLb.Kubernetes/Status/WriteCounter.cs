namespace IronLb.Kubernetes.Status;

/// <summary>
/// Writes to the API server and how many of them failed, as MetalLB counts them
/// (metallb_k8s_client_updates_total and metallb_k8s_client_update_errors_total). Thread-safe: every writer
/// of a process shares one.
/// </summary>
public sealed class WriteCounter
{
    private long _writes;
    private long _failures;

    public long Writes => Interlocked.Read(ref _writes);

    public long Failures => Interlocked.Read(ref _failures);

    public void Record(bool failed)
    {
        Interlocked.Increment(ref _writes);
        if (failed)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
