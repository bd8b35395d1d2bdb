using System.Collections.Frozen;
using System.Net;

namespace IronLb.Speaker.Membership;

/// <summary>
/// The check every membership datagram passes before anything reads it: its source must be a peer's
/// advertised address, its length within the protocol's bound, and the source within its token bucket.
/// Only then is it worth a decode and an HMAC. It knows nothing of the message format, so v1 and v2 share it.
/// Lock-free: the sources are one immutable snapshot swapped when discovery changes, and each bucket
/// updates with a compare-and-swap. Buckets exist only for known sources, so spoofed addresses cost no memory.
/// </summary>
internal sealed class DatagramGate
{
    private readonly DatagramGateOptions _options;
    private readonly TimeProvider _time;
    private volatile Sources _sources = new(FrozenDictionary<IPAddress, TokenBucket>.Empty, 0);

    public DatagramGate(DatagramGateOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _time = time;
    }

    /// <summary>The addresses admitted now.</summary>
    public IReadOnlySet<IPAddress> Known => _sources.Buckets.Keys.ToFrozenSet();

    /// <summary>
    /// The peers' advertised addresses and the largest datagram the protocol can send to this many peers.
    /// A source that stays keeps its bucket: a discovery change must not refill a flooder's tokens.
    /// </summary>
    public void SetSources(IEnumerable<IPAddress> addresses, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var now = _time.GetTimestamp();
        var previous = _sources.Buckets;
        var buckets = new Dictionary<IPAddress, TokenBucket>();
        foreach (var address in addresses.Select(Normalize))
        {
            buckets[address] = previous.TryGetValue(address, out var kept) ? kept
                : new TokenBucket(_options.SteadyPerSecond, _options.Burst, _time.TimestampFrequency, now);
        }

        _sources = new Sources(buckets.ToFrozenDictionary(), maxLength);
    }

    /// <summary>Accepted lets the datagram on to decoding; otherwise the reason it was dropped.</summary>
    public ReceiveOutcome Check(IPAddress source, int length)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sources = _sources;
        if (!sources.Buckets.TryGetValue(Normalize(source), out var bucket))
        {
            return ReceiveOutcome.UnknownSource;
        }

        // Before the bucket: an oversized datagram from a spoofed peer address must not use up the peer's tokens.
        if (length > sources.MaxLength)
        {
            return ReceiveOutcome.Oversized;
        }

        return bucket.TryTake(_time.GetTimestamp()) ? ReceiveOutcome.Accepted : ReceiveOutcome.RateLimited;
    }

    /// <summary>
    /// One form per host: a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d, and a link-local source
    /// carries the interface's scope id that an advertised address never has.
    /// </summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    private sealed record Sources(FrozenDictionary<IPAddress, TokenBucket> Buckets, int MaxLength);
}
