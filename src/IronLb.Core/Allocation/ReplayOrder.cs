namespace IronLb.Core.Allocation;

/// <summary>
/// The one order in which a whole-cluster pass visits Services: the controller's start-up and
/// reprocess-all, `ironlb plan` and the speaker's file mode all use it, so what plan prints is what the
/// cluster does.
/// </summary>
/// <remarks>
/// Services whose status already shows an address come first, so a restart never hands an address in use
/// to someone else. Then the oldest first (creation timestamp; unknown ones last): that is the order a
/// running controller met them in, so a fresh pass gives contested addresses to whoever asked first, as
/// the controller did incrementally. Namespace and name break ties (timestamps have one-second resolution).
/// </remarks>
public static class ReplayOrder
{
    public static IComparer<ServiceView> Comparer { get; } = Comparer<ServiceView>.Create(Compare);

    public static List<ServiceView> Sort(IEnumerable<ServiceView> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sorted = services.ToList();

        // List.Sort is unstable; the comparer is total over distinct keys, so the result is still unique.
        sorted.Sort(Comparer);
        return sorted;
    }

    private static int Compare(ServiceView? a, ServiceView? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var byHolding = HoldsAddress(b).CompareTo(HoldsAddress(a));
        if (byHolding != 0)
        {
            return byHolding;
        }

        var byAge = (a.CreationTimestamp ?? DateTimeOffset.MaxValue).CompareTo(b.CreationTimestamp ?? DateTimeOffset.MaxValue);
        return byAge != 0 ? byAge : ServiceKey.Ordinal.Compare(a.Key, b.Key);
    }

    private static bool HoldsAddress(ServiceView service) => service.IngressIps.Any(ip => ip.Length > 0);
}
