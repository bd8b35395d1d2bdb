using System.Net;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// One <see cref="LanProber.ProbeAsync"/> call: its sockets (one per family probed), the schedule of probes, and
/// the claims heard. A family whose socket cannot be opened, or whose send or receive fails, ends with that
/// error on its addresses; the other family carries on. Not thread-safe; one call owns it.
/// </summary>
internal sealed class ProbeRun : IDisposable
{
    /// <summary>How often the sockets are read while waiting: answers are collected, not timed, so this only bounds the wait.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Frames read per socket per poll at most, so a flood cannot hold the schedule back.</summary>
    private const int DrainLimit = 1024;

    private readonly InterfaceInfo _info;
    private readonly IReadOnlyList<IPAddress> _requested;
    private readonly List<(bool IsV4, uint V4, UInt128 V6)?> _bits;
    private readonly Dictionary<uint, List<MacAddress>> _v4 = [];
    private readonly Dictionary<UInt128, List<MacAddress>> _v6 = [];
    private readonly ILogger _logger;
    private readonly byte[] _frame = new byte[2048];
    private ILinkLayerTransport? _arp;
    private ILinkLayerTransport? _ndp;
    private IMulticastGroups? _groups;
    private string? _arpError;
    private string? _ndpError;

    private ProbeRun(InterfaceInfo info, IReadOnlyList<IPAddress> requested, ILogger logger)
    {
        _info = info;
        _requested = requested;
        _logger = logger;
        _bits = [.. requested.Select(WatchedAddresses.Bits)];
        foreach (var bits in _bits)
        {
            switch (bits)
            {
                case (true, var v4, _):
                    _v4.TryAdd(v4, []);
                    break;
                case (false, _, var v6):
                    _v6.TryAdd(v6, []);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>At least one family has a socket to probe with; without one there is nothing to wait for.</summary>
    public bool CanProbe => (_arp is not null && _arpError is null) || (_ndp is not null && _ndpError is null);

    /// <summary>Opens what the addresses need; refusals are kept as the family's error, not thrown.</summary>
    public static ProbeRun Open(InterfaceInfo info, IReadOnlyList<IPAddress> addresses, ILinkLayerPlatform platform, ILogger logger)
    {
        var run = new ProbeRun(info, addresses, logger);
        if (run._v4.Count > 0)
        {
            try
            {
                run._arp = platform.OpenArp(info.Index, [])[0];
            }
            catch (System.Net.Sockets.SocketException e)
            {
                run._arpError = run.Refused("open an ARP socket", e);
            }
        }

        if (run._v6.Count > 0)
        {
            try
            {
                run._ndp = platform.OpenNdp(info.Index, [])[0];
            }
            catch (System.Net.Sockets.SocketException e)
            {
                run._ndpError = run.Refused("open an IPv6 packet socket", e);
            }

            if (run._ndp is not null)
            {
                run.JoinGroups(platform);
            }
        }

        return run;
    }

    /// <summary>
    /// Sends every round, reading answers in between, then listens for the wait. Round r starts r intervals after
    /// the first probe; probe k never before k / MaxPacketsPerSecond, so the rate holds across rounds and families.
    /// </summary>
    public async Task RunAsync(ProbeSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var sends = Schedule(Math.Max(1, settings.Count));
        var interval = settings.Interval > TimeSpan.Zero ? settings.Interval : TimeSpan.Zero;
        var wait = settings.Wait > TimeSpan.Zero ? settings.Wait : TimeSpan.Zero;
        var spacing = TimeSpan.FromSeconds(1.0 / Math.Max(1, settings.MaxPacketsPerSecond));
        var start = time.GetTimestamp();
        var next = 0;
        var end = TimeSpan.Zero;
        while (true)
        {
            Drain();
            var now = time.GetElapsedTime(start);
            TimeSpan due;
            if (next < sends.Count)
            {
                due = Max(sends[next].Round * interval, next * spacing);
                if (now >= due)
                {
                    Send(sends[next].Index);
                    next++;
                    if (next == sends.Count)
                    {
                        end = time.GetElapsedTime(start) + wait;
                    }

                    continue;
                }
            }
            else if (now >= end)
            {
                break;
            }
            else
            {
                due = end;
            }

            await Task.Delay(Min(due - now, PollInterval), time, cancellationToken).ConfigureAwait(false);
        }

        Drain();
    }

    /// <summary>One outcome per requested address, in the order requested.</summary>
    public IReadOnlyList<ProbeOutcome> Outcomes() =>
    [
        .. _requested.Select((address, i) => _bits[i] switch
        {
            (true, var v4, _) => Outcome(address, _arpError, _v4[v4]),
            (false, _, var v6) => Outcome(address, _ndpError, _v6[v6]),
            _ => new ProbeOutcome(_info.Name, address, [], $"{address} is neither an IPv4 nor an IPv6 address"),
        }),
    ];

    public void Dispose()
    {
        _arp?.Dispose();
        _ndp?.Dispose();
        _groups?.Dispose();
    }

    private ProbeOutcome Outcome(IPAddress address, string? error, List<MacAddress> responders) =>
        new(_info.Name, address, error is null ? [.. responders] : [], error);

    /// <summary>(round, index into the requested addresses) for every probe to send, round by round; each address once per round.</summary>
    private List<(int Round, int Index)> Schedule(int count)
    {
        var distinct = new List<int>();
        var seen = new HashSet<(bool, uint, UInt128)>();
        for (var i = 0; i < _bits.Count; i++)
        {
            if (_bits[i] is { } bits && seen.Add(bits))
            {
                distinct.Add(i);
            }
        }

        return [.. Enumerable.Range(0, count).SelectMany(round => distinct.Select(i => (round, i)))];
    }

    private void Send(int index)
    {
        var (isV4, v4, v6) = _bits[index]!.Value;
        var transport = isV4 ? _arp : _ndp;
        if (transport is null || (isV4 ? _arpError : _ndpError) is not null)
        {
            return;
        }

        var length = isV4
            ? ArpPacket.WriteProbeFrame(_frame, _info.Mac, v4)
            : NeighborSolicitation.WriteDadProbe(_frame, _info.Mac, v6);
        try
        {
            transport.Send(_frame.AsSpan(0, length));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Fail(isV4, Refused("send a probe", e));
        }
    }

    /// <summary>Reads whatever is queued on both sockets and keeps the claims on probed addresses.</summary>
    private void Drain()
    {
        if (_arp is not null && _arpError is null)
        {
            DrainOne(_arp, isV4: true);
        }

        if (_ndp is not null && _ndpError is null)
        {
            DrainOne(_ndp, isV4: false);
        }
    }

    private void DrainOne(ILinkLayerTransport transport, bool isV4)
    {
        try
        {
            for (var i = 0; i < DrainLimit; i++)
            {
                var n = transport.TryReceive(_frame);
                if (n <= 0)
                {
                    return;
                }

                Heard(_frame.AsSpan(0, n), isV4);
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Fail(isV4, Refused("receive", e));
        }
    }

    private void Heard(ReadOnlySpan<byte> frame, bool isV4)
    {
        List<MacAddress>? responders;
        MacAddress claimant;
        if (isV4)
        {
            if (!ClaimClassifier.ReadArp(frame, _info.Mac, out _, out var v4, out claimant) || !_v4.TryGetValue(v4, out responders))
            {
                return;
            }
        }
        else if (!ClaimClassifier.ReadNdp(frame, _info.Mac, out _, out var v6, out claimant) || !_v6.TryGetValue(v6, out responders))
        {
            return;
        }

        if (!responders.Contains(claimant))
        {
            responders.Add(claimant);
        }
    }

    /// <summary>Solicited-node groups of the probed addresses, so a NIC's filter lets other hosts' DAD probes in (RFC 4862 §5.4.2).</summary>
    private void JoinGroups(ILinkLayerPlatform platform)
    {
        var joined = new HashSet<UInt128>();
        for (var i = 0; i < _bits.Count; i++)
        {
            if (_bits[i] is not (false, _, var v6) || !joined.Add(v6))
            {
                continue;
            }

            try
            {
                _groups ??= platform.OpenGroups(_info.Index);
                _groups.Join(Ipv6Header.SolicitedNode(v6));
            }
            catch (System.Net.Sockets.SocketException e)
            {
                // Not fatal: answers to a DAD probe go to all-nodes, which every interface receives.
                Log.ProbeGroupFailed(_logger, e, _requested[i], _info.Name);
            }
        }
    }

    private void Fail(bool isV4, string error)
    {
        if (isV4)
        {
            _arpError ??= error;
        }
        else
        {
            _ndpError ??= error;
        }
    }

    private string Refused(string what, Exception e)
    {
        var message = $"cannot {what} on {_info.Name}: {e.Message}";
        Log.ProbeFailed(_logger, _info.Name, message);
        return message;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
