using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IronLb.Chaos;

/// <summary>What an ARP or NDP frame is, as tcpdump prints it.</summary>
public enum NeighbourFrameKind
{
    ArpRequest,
    ArpReply,
    Solicitation,
    Advertisement,
}

/// <summary>
/// One ARP or NDP frame seen on a LAN: when (tcpdump's kernel timestamp, seconds since the epoch), from which MAC
/// to which, what it is, the address it is about and the sender's address (ARP's sender field, 0.0.0.0 in a probe;
/// the IPv6 source for NDP, :: in a DAD probe).
/// </summary>
public sealed record NeighbourFrame(double Time, string SourceMac, string DestinationMac, NeighbourFrameKind Kind, string Target, string? SenderIp)
{
    /// <summary>
    /// The frame says "<paramref name="address"/> is at <see cref="SourceMac"/>": an ARP reply for it, a gratuitous ARP
    /// request (sender address = target) or a neighbour advertisement for it. A probe (sender 0.0.0.0) or a
    /// solicitation claims nothing.
    /// </summary>
    public bool Claims(string address) =>
        Target == address && Kind switch
        {
            NeighbourFrameKind.ArpReply or NeighbourFrameKind.Advertisement => true,
            NeighbourFrameKind.ArpRequest => SenderIp == address,
            _ => false,
        };

    /// <summary>A claim sent to everyone (broadcast or the all-nodes group), not an answer to one asker: an announcement or a defence.</summary>
    public bool Announces(string address) => Claims(address) && DestinationMac is "ff:ff:ff:ff:ff:ff" or "33:33:00:00:00:01";

    /// <summary>An RFC 5227 probe (sender 0.0.0.0) or a DAD solicitation (from ::) for <paramref name="address"/>.</summary>
    public bool Probes(string address) =>
        Target == address && Kind switch
        {
            NeighbourFrameKind.ArpRequest => SenderIp == "0.0.0.0",
            NeighbourFrameKind.Solicitation => SenderIp == "::",
            _ => false,
        };
}

/// <summary>
/// tcpdump on one interface of a namespace, capturing ARP and NDP (solicitations and advertisements) with kernel
/// timestamps and MACs, read line by line while it runs. Stopped (and the process reaped) on dispose.
/// </summary>
public sealed partial class NeighbourCapture : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<NeighbourFrame> _frames = [];
    private readonly Lock _gate = new();
    private readonly Task _reader;

    private NeighbourCapture(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Starts the capture and returns once tcpdump listens.</summary>
    public static async Task<NeighbourCapture> StartAsync(string netns, string device)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in (string[])["netns", "exec", netns, "tcpdump", "-l", "-n", "-e", "-tt", "-i", device,
            "arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))"])
        {
            info.ArgumentList.Add(word);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("tcpdump did not start");
        while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                // Drain the rest of stderr so tcpdump never blocks on it.
                _ = process.StandardError.ReadToEndAsync();
                return new NeighbourCapture(process);
            }
        }

        throw new InvalidOperationException($"tcpdump in {netns} on {device} exited before listening (exit {process.ExitCode})");
    }

    /// <summary>Every frame so far, in capture order.</summary>
    public IReadOnlyList<NeighbourFrame> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Now, on tcpdump's clock (the system's wall clock, as its timestamps are).</summary>
    public static double Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>One line of `tcpdump -n -e -tt`, or null when it is no ARP or NDP frame this reads.</summary>
    public static NeighbourFrame? Parse(string line)
    {
        var head = Head().Match(line);
        if (!head.Success || !double.TryParse(head.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var time))
        {
            return null;
        }

        var (source, destination, rest) = (head.Groups[2].Value.ToLowerInvariant(), head.Groups[3].Value.ToLowerInvariant(), line[head.Length..]);
        if (ArpRequest().Match(rest) is { Success: true } request)
        {
            return new NeighbourFrame(time, source, destination, NeighbourFrameKind.ArpRequest, request.Groups[1].Value, request.Groups[2].Value);
        }

        if (ArpReply().Match(rest) is { Success: true } reply)
        {
            return new NeighbourFrame(time, source, destination, NeighbourFrameKind.ArpReply, reply.Groups[1].Value, null);
        }

        var from = Ipv6Source().Match(rest) is { Success: true } ipv6 ? ipv6.Groups[1].Value : null;
        if (Solicitation().Match(rest) is { Success: true } solicitation)
        {
            return new NeighbourFrame(time, source, destination, NeighbourFrameKind.Solicitation, solicitation.Groups[1].Value, from);
        }

        return Advertisement().Match(rest) is { Success: true } advertisement
            ? new NeighbourFrame(time, source, destination, NeighbourFrameKind.Advertisement, advertisement.Groups[1].Value, from)
            : null;
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (Parse(line) is { } frame)
            {
                lock (_gate)
                {
                    _frames.Add(frame);
                }
            }
        }
    }

    [GeneratedRegex(@"^(\d+\.\d+) ([0-9a-fA-F:]{17}) > ([0-9a-fA-F:]{17}), ")]
    private static partial Regex Head();

    [GeneratedRegex(@"Request who-has (\S+?)(?: \([0-9a-fA-F:]{17}\))? tell (\S+?),")]
    private static partial Regex ArpRequest();

    [GeneratedRegex(@"Reply (\S+) is-at ")]
    private static partial Regex ArpReply();

    [GeneratedRegex(@"length \d+: (\S+) > \S+: ICMP6")]
    private static partial Regex Ipv6Source();

    [GeneratedRegex(@"neighbor solicitation, who has (\S+?),")]
    private static partial Regex Solicitation();

    [GeneratedRegex(@"neighbor advertisement, tgt is (\S+?),")]
    private static partial Regex Advertisement();
}
