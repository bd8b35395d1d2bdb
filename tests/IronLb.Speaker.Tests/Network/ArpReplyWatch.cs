using System.Diagnostics;
using System.Globalization;

namespace IronLb.Speaker.Tests.Network;

/// <summary>
/// A client that keeps asking for one IPv4 address while tcpdump timestamps every reply it gets: when a node
/// stopped answering, and when it started again, to within a probe. iputils' arping takes whole seconds for its
/// interval, so the probes are one-shot arpings back to back (about 20 ms apart on the 2-core CI machine while
/// replies come; one second apart once they stop, which only delays noticing that they resumed).
/// Timestamps are the kernel's receive times on the wall clock, so they compare with <see cref="DateTime.UtcNow"/>.
/// </summary>
internal sealed class ArpReplyWatch : IAsyncDisposable
{

    private readonly Process _capture;
    private readonly Process _arping;
    private readonly string _ip;
    private readonly List<DateTime> _replies = [];
    private readonly Task _reading;

    private ArpReplyWatch(Process capture, Process arping, string ip)
    {
        _capture = capture;
        _arping = arping;
        _ip = ip;
        _reading = ReadAsync();
    }

    public int Count
    {
        get
        {
            lock (_replies)
            {
                return _replies.Count;
            }
        }
    }

    /// <summary>The replies received at or after <paramref name="from"/>.</summary>
    public List<DateTime> Since(DateTime from)
    {
        lock (_replies)
        {
            return [.. _replies.Where(r => r >= from)];
        }
    }

    public DateTime? Last
    {
        get
        {
            lock (_replies)
            {
                return _replies.Count == 0 ? null : _replies[^1];
            }
        }
    }

    public static async Task<ArpReplyWatch> StartAsync(string ns, string device, string ip)
    {
        var capture = new Process
        {
            StartInfo = ProcessRunner.StartInfo("ip", ["netns", "exec", ns, "tcpdump", "-i", device, "-n", "-l", "-tt", "--time-stamp-precision=nano", "-Q", "in", "arp[6:2] == 2"]),
        };
        capture.Start();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // tcpdump says "listening on" (stderr) once the capture is armed.
            while (await capture.StandardError.ReadLineAsync(cts.Token).ConfigureAwait(false) is { } line && !line.Contains("listening on", StringComparison.Ordinal))
            {
            }
        }

        var arping = new Process
        {
            StartInfo = ProcessRunner.StartInfo("ip", ["netns", "exec", ns, "sh", "-c", $"while :; do arping -b -q -c 1 -w 1 -I {device} {ip}; done"]),
        };
        arping.Start();
        return new ArpReplyWatch(capture, arping, ip);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in new[] { _arping, _capture })
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync().ConfigureAwait(false);
        }

        await _reading.ConfigureAwait(false);
        _arping.Dispose();
        _capture.Dispose();
    }

    /// <summary>"1733480000.123456789 ARP, Reply 192.0.2.100 is-at 02:…, length 28": the time of each reply for our address.</summary>
    private async Task ReadAsync()
    {
        var reply = $"Reply {_ip} is-at";
        while (await _capture.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.Contains(reply, StringComparison.Ordinal)
                && decimal.TryParse(line.AsSpan(0, space), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            {
                var at = DateTime.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
                lock (_replies)
                {
                    _replies.Add(at);
                }
            }
        }
    }
}
