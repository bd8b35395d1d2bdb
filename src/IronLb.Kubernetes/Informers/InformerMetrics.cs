using System.Diagnostics.Metrics;

namespace IronLb.Kubernetes.Informers;

/// <summary>
/// How the informers of a process recover from silent failures, per resource: watches restarted after their
/// idle timeout, periodic relists, and the changes those relists found that the watch had missed (anything
/// above zero means a watch lost events without noticing). One process-wide meter, as informers are.
/// </summary>
public static class InformerMetrics
{
    public const string MeterName = "IronLb.Kubernetes.Informers";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> IdleRestarts =
        Meter.CreateCounter<long>("ironlb_informer_watch_idle_restarts_total", description: "Watches restarted because they delivered nothing, not even a bookmark, for the idle timeout.");

    internal static readonly Counter<long> Relists =
        Meter.CreateCounter<long>("ironlb_informer_periodic_relists_total", description: "Periodic relists of a healthy watch.");

    internal static readonly Counter<long> RelistRepairs =
        Meter.CreateCounter<long>("ironlb_informer_relist_repairs_total", description: "Changes a periodic relist found that the watch had not delivered.");
}
