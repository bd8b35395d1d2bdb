namespace IronLb.Networking.Conflicts;

/// <summary>
/// What the responders' conflict check reads per frame, beside the table: who wants to hear about claims, and
/// the addresses watched although not announced. Both are replaced whole and read once per frame, without a lock.
/// </summary>
internal sealed class ClaimWatch
{
    private volatile Action<AddressClaim>? _observer;
    private volatile WatchedAddresses _watched = WatchedAddresses.Empty;

    public Action<AddressClaim>? Observer
    {
        get => _observer;
        set => _observer = value;
    }

    public WatchedAddresses Watched
    {
        get => _watched;
        set => _watched = value;
    }
}
