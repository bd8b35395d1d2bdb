namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// When each of our recent sequences was sent, on our own monotonic clock: an echo is a proof of freshness only
/// through this lookup. A sequence that has fallen out of the log is too old to prove anything.
/// </summary>
internal sealed class SentLog
{
    private const int Size = 4096;
    private readonly ulong[] _sequences = new ulong[Size];
    private readonly TimeSpan[] _sentAt = new TimeSpan[Size];

    public void Record(ulong sequence, TimeSpan at)
    {
        var slot = (int)(sequence % Size);
        _sequences[slot] = sequence;
        _sentAt[slot] = at;
    }

    public bool TryGet(ulong sequence, out TimeSpan at)
    {
        var slot = (int)(sequence % Size);
        at = _sentAt[slot];
        return sequence != 0 && _sequences[slot] == sequence;
    }
}
