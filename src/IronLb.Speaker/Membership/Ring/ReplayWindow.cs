namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// Anti-replay for one sender without clocks: the newest incarnation seen and a 64-sequence sliding window below
/// its highest sequence (as in IPsec), so datagrams reordered by a few milliseconds are still accepted once each.
/// </summary>
internal struct ReplayWindow
{
    private ulong _mask;

    public ulong Incarnation { get; private set; }

    /// <summary>The highest sequence accepted from <see cref="Incarnation"/>: what heartbeats echo back.</summary>
    public ulong HighestSequence { get; private set; }

    /// <summary>Accepts or refuses; <paramref name="newIncarnation"/> tells the caller to forget proofs tied to the old one.</summary>
    public RingReceiveOutcome Admit(ulong incarnation, ulong sequence, out bool newIncarnation)
    {
        newIncarnation = false;
        if (incarnation < Incarnation)
        {
            return RingReceiveOutcome.StaleIncarnation;
        }

        if (incarnation > Incarnation || (HighestSequence == 0 && _mask == 0))
        {
            newIncarnation = incarnation > Incarnation;
            Incarnation = incarnation;
            HighestSequence = sequence;
            _mask = 1;
            return RingReceiveOutcome.Accepted;
        }

        if (sequence > HighestSequence)
        {
            var shift = sequence - HighestSequence;
            _mask = shift >= RingOptions.ReplayWindow ? 1 : (_mask << (int)shift) | 1;
            HighestSequence = sequence;
            return RingReceiveOutcome.Accepted;
        }

        var age = HighestSequence - sequence;
        if (age >= RingOptions.ReplayWindow || (_mask & (1UL << (int)age)) != 0)
        {
            return RingReceiveOutcome.Replayed;
        }

        _mask |= 1UL << (int)age;
        return RingReceiveOutcome.Accepted;
    }
}
