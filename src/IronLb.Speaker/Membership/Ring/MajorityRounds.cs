using System.Collections.Immutable;
using System.Numerics;

namespace IronLb.Speaker.Membership.Ring;

/// <summary>
/// Leaderless majority rounds: every node starts the next round when its own monotonic clock says a round has
/// passed since it entered the current one, or as soon as it hears of a higher round. A round's bitmap holds the
/// members that were there (each sets its own bit); bitmaps merge by OR, for the current and the previous round, so
/// a round keeps filling while the next one runs. A node holds the round lease while a round it entered no more
/// than <see cref="RingOptions.RoundLease"/> ago has a strict majority of the member table. A minority component
/// never fills a bitmap past half, so its nodes lose the lease. Pure: time comes in as elapsed monotonic time.
/// </summary>
internal sealed class MajorityRounds
{
    private readonly RingOptions _options;
    private readonly int _members;
    private readonly int _self;
    private readonly uint _tableDigest;
    private byte[] _current;
    private byte[] _previous;
    private readonly TimeSpan[] _lastSeen;
    private TimeSpan _enteredCurrent;
    private TimeSpan _enteredPrevious;

    // carriedLease: the lease held over the previous member table (null: none). A member joining or leaving does not
    // make the majority this node was just in any less real, and the lease runs out on its own within RoundLease;
    // dropping it would stop every node answering for up to a round whenever discovery adds or removes a speaker.
    public MajorityRounds(RingOptions options, int members, int self, uint tableDigest, TimeSpan now, TimeSpan? carriedLease = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _members = members;
        _self = self;
        _tableDigest = tableDigest;
        _current = new byte[(members + 7) / 8];
        _previous = new byte[_current.Length];
        _enteredCurrent = now;
        _enteredPrevious = now - options.Round;
        SetBit(_current, self);
        LeaseUntil = carriedLease ?? TimeSpan.MinValue;

        // Nobody counts as silent before we have watched the rounds for a while ourselves.
        _lastSeen = new TimeSpan[members];
        Array.Fill(_lastSeen, now);
    }

    public ulong Round { get; private set; }

    public uint TableDigest => _tableDigest;

    /// <summary>
    /// Until when the lease holds on the evidence seen so far (TimeSpan.MinValue: never held): the latest of "entered a
    /// round + RoundLease" over the rounds whose bitmap was seen with a strict majority. Kept as a value, so a
    /// majority round still counts after the node has moved two rounds on.
    /// </summary>
    public TimeSpan LeaseUntil { get; private set; } = TimeSpan.MinValue;

    public int CurrentCount => Count(_current);

    /// <summary>
    /// How long since a bitmap we merged or hold last had the member's bit: a member whose datagrams reach the majority
    /// shows up in every round, so a long absence while we hold the lease means it is crashed or cut off from us.
    /// </summary>
    public TimeSpan AbsentFor(int member, TimeSpan now) => now - _lastSeen[member];

    /// <summary>Starts the next round when a round has passed on our own clock.</summary>
    public void Tick(TimeSpan now)
    {
        if (now - _enteredCurrent < _options.Round)
        {
            return;
        }

        (_previous, _current) = (_current, new byte[_current.Length]);
        _enteredPrevious = _enteredCurrent;
        _enteredCurrent = now;
        Round++;
        SetBit(_current, _self);
        _lastSeen[_self] = now;
        UpdateLease();
    }

    /// <summary>Merges a peer's round state; false when it was built over another member table.</summary>
    public bool Merge(RoundMessage message, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.TableDigest != _tableDigest || message.Current.Length != _current.Length)
        {
            return false;
        }

        if (message.Round > Round)
        {
            // Jump: their current is ours from now; their previous is the round before it, which we may have held.
            var keepOurs = message.Round == Round + 1;
            var previous = keepOurs ? _current : new byte[_current.Length];
            _enteredPrevious = keepOurs ? _enteredCurrent : now - _options.Round;
            Or(previous, message.Previous.AsSpan());
            _previous = previous;
            _current = [.. message.Current];
            _enteredCurrent = now;
            Round = message.Round;
            SetBit(_current, _self);
            Trim(_current);
            Trim(_previous);
        }
        else if (message.Round == Round)
        {
            Or(_current, message.Current.AsSpan());
            Or(_previous, message.Previous.AsSpan());
            Trim(_current);
            Trim(_previous);
        }
        else if (message.Round + 1 == Round)
        {
            Or(_previous, message.Current.AsSpan());
            Trim(_previous);
        }

        Seen(_current, now);
        Seen(_previous, now);
        UpdateLease();
        return true;
    }

    private void Seen(byte[] bitmap, TimeSpan now)
    {
        for (var i = 0; i < bitmap.Length; i++)
        {
            for (var bits = (uint)bitmap[i]; bits != 0; bits &= bits - 1)
            {
                var member = (i * 8) + BitOperations.TrailingZeroCount(bits);
                if (member < _members)
                {
                    _lastSeen[member] = now;
                }
            }
        }
    }

    public RoundMessage ToMessage(RingHeader header) =>
        new(header, _tableDigest, Round, ImmutableArray.Create(_current), ImmutableArray.Create(_previous));

    private void UpdateLease()
    {
        if (IsMajority(_current))
        {
            LeaseUntil = Max(LeaseUntil, _enteredCurrent + _options.RoundLease);
        }

        if (IsMajority(_previous))
        {
            LeaseUntil = Max(LeaseUntil, _enteredPrevious + _options.RoundLease);
        }
    }

    private bool IsMajority(byte[] bitmap) => 2 * Count(bitmap) > _members;

    private static int Count(byte[] bitmap)
    {
        var count = 0;
        foreach (var b in bitmap)
        {
            count += BitOperations.PopCount(b);
        }

        return count;
    }

    private static void SetBit(byte[] bitmap, int index) => bitmap[index / 8] |= (byte)(1 << (index % 8));

    private static void Or(byte[] into, ReadOnlySpan<byte> from)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] |= from[i];
        }
    }

    /// <summary>Clears bits past the last member: a peer's stray bits must not count towards a majority.</summary>
    private void Trim(byte[] bitmap)
    {
        var spare = (bitmap.Length * 8) - _members;
        if (spare > 0)
        {
            bitmap[^1] &= (byte)(0xFF >> spare);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
