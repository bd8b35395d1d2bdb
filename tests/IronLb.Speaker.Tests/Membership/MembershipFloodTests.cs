using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IronLb.Speaker.Membership;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Speaker.Tests.Membership;

/// <summary>
/// Issue 14's flood row on real sockets: three membership loops on 127.0.0.2–4 and a stranger on 127.0.0.9
/// sending at least 50,000 forged datagrams a second (a valid v1 header) to one of them for 3 s. Prints the
/// process CPU time of the flood against the same time idle; the numbers are only meaningful run alone.
/// </summary>
[Trait("Category", Category.Slow)]
public sealed class MembershipFloodTests(ITestOutputHelper output)
{
    private const int Rate = 50_000;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(3);
    private static readonly MembershipKey Key = MembershipKey.Create([.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))], insecure: false);
    private static readonly string[] Names = ["a", "b", "c"];

    [Fact]
    public async Task A_stranger_flooding_a_speaker_changes_no_view_and_every_datagram_is_refused_as_unknown_source()
    {
        var options = new MembershipOptions();
        var transports = Names.Select((_, i) => UdpMembershipTransport.Open(new IPEndPoint(IPAddress.Parse($"127.0.0.{i + 2}"), 0))).ToList();
        var cores = Names.Select(n => new MembershipProtocol(n, options, Key, TimeProvider.System)).ToList();
        var loops = cores.Select((core, i) => new MembershipLoop(core, transports[i], options, TimeProvider.System, NullLogger.Instance)).ToList();
        var peers = Names.Select((n, i) => (n, transports[i].LocalEndPoint)).ToDictionary(p => p.n, p => p.LocalEndPoint);
        loops.ForEach(l => l.SetPeers(peers));
        var victim = loops[0];

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var runs = loops.Select(l => l.RunAsync(stop.Token)).ToList();
        try
        {
            await Eventually.WaitForAsync(() => cores.All(c => c.View.Live.SetEquals(Names)), "all three loops to see all three");
            var changes = new ConcurrentQueue<string>();
            foreach (var core in cores)
            {
                core.ViewChanged += (_, view) => changes.Enqueue($"{core.Self}: {string.Join(',', view.Live)}");
            }

            var idle = await CpuOverAsync(() => Task.Delay(Phase, TestContext.Current.CancellationToken));
            var acceptedBefore = victim.Counters.Accepted;
            var dropsBefore = KernelReceiveBufferDrops();
            var flood = new Flooder(transports[0].LocalEndPoint, UdpMembershipBindTests.Forged(512));
            var flooding = await CpuOverAsync(() => flood.RunAsync(Rate, Phase));
            var acceptedDuring = victim.Counters.Accepted - acceptedBefore;

            var refused = await DrainedAsync(victim.Counters);
            var drops = KernelReceiveBufferDrops() - dropsBefore;
            var receiving = flooding.Cpu - flood.Cpu - idle.Cpu;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flood: {flood.Sent:N0} datagrams in {flooding.Wall.TotalSeconds:F2} s ({flood.Sent / flooding.Wall.TotalSeconds:N0}/s)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refused as UnknownSource: {refused:N0} ({100.0 * refused / flood.Sent:F1} %); dropped by the kernel, receive buffer full: {drops:N0}; accepted from the peers meanwhile: {acceptedDuring}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process CPU idle: {idle.Cpu.TotalMilliseconds:F0} ms over {idle.Wall.TotalSeconds:F2} s; flooding: {flooding.Cpu.TotalMilliseconds:F0} ms, of it the flooder thread {flood.Cpu.TotalMilliseconds:F0} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"receiving side's extra CPU: {receiving.TotalMilliseconds:F0} ms = {receiving.TotalMilliseconds * 1000 / Math.Max(1, refused):F2} µs per refused datagram ({100 * receiving / flooding.Wall:F0} % of a core)"));

            // The rate is what the flooder aims at; on a loaded machine it may take longer (printed above, never asserted).
            // What each of these datagrams cost before the gate: a decode and an HMAC (then the lock), here without the socket.
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"for comparison, decode + MAC check alone: {MacMicroseconds(cores[0], 512):F2} µs for 512 bytes, {MacMicroseconds(cores[0], MembershipCodec.MaxDatagram):F2} µs for 64 KB"));

            Assert.True(flood.Sent >= Rate * Phase.TotalSeconds, $"the flooder sent only {flood.Sent}");
            Assert.Empty(changes);
            Assert.All(cores, c => Assert.True(c.View.Live.SetEquals(Names), $"{c.Self} sees {string.Join(',', c.View.Live)}"));

            // The two peers' heartbeats kept arriving (10 a second each; half is plenty of margin).
            Assert.True(acceptedDuring >= 2 * 10 * Phase.TotalSeconds / 2, $"only {acceptedDuring} heartbeats accepted during the flood");

            // Nothing of the flood reached decoding or the MAC.
            Assert.All(
                Enum.GetValues<ReceiveOutcome>().Where(o => o is not (ReceiveOutcome.Accepted or ReceiveOutcome.UnknownSource)),
                o => Assert.True(victim.Counters[o] == 0, $"{o}: {victim.Counters[o]}"));
            // Every datagram the socket got was counted; the rest the kernel dropped when the receive loop fell behind
            // (the host-wide counter, so other sockets' drops can only make this looser).
            Assert.InRange(refused, 1, flood.Sent);
            Assert.True(refused + drops >= flood.Sent * 0.95, $"{refused} refused and {drops} dropped of {flood.Sent} sent");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs);
            transports.ForEach(t => t.Dispose());
        }
    }

    /// <summary>The UnknownSource count once the socket's queue has drained (unchanged over a quarter second).</summary>
    private static async Task<long> DrainedAsync(MembershipCounters counters)
    {
        var last = -1L;
        for (var i = 0; i < 120 && counters[ReceiveOutcome.UnknownSource] != last; i++)
        {
            last = counters[ReceiveOutcome.UnknownSource];
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        return counters[ReceiveOutcome.UnknownSource];
    }

    private static double MacMicroseconds(MembershipProtocol core, int length)
    {
        var datagram = UdpMembershipBindTests.Forged(length);
        var rounds = length > 10_000 ? 500 : 20_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            Assert.Equal(ReceiveOutcome.BadMac, core.Decode(datagram, out _));
        }

        return clock.Elapsed.TotalMicroseconds / rounds;
    }

    /// <summary>The host's UDP RcvbufErrors (/proc/net/snmp): datagrams dropped because a socket's buffer was full.</summary>
    private static long KernelReceiveBufferDrops()
    {
        var udp = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToList();
        var names = udp[0].Split(' ');
        var values = udp[1].Split(' ');
        return long.Parse(values[Array.IndexOf(names, "RcvbufErrors")], CultureInfo.InvariantCulture);
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> CpuOverAsync(Func<Task> work)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await work();
        process.Refresh();
        return (process.TotalProcessorTime - cpu, wall.Elapsed);
    }

    /// <summary>A paced sender on its own thread, which measures its own CPU time so it can be told apart from the receivers'.</summary>
    private sealed class Flooder(IPEndPoint target, byte[] datagram)
    {
        public long Sent { get; private set; }

        public TimeSpan Cpu { get; private set; }

        public Task RunAsync(int perSecond, TimeSpan duration)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    Run(perSecond, duration);
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            })
            {
                IsBackground = true,
                Name = "flooder",
            };
            thread.Start();
            return done.Task;
        }

        private void Run(int perSecond, TimeSpan duration)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
            socket.Connect(target);
            var cpu = ThreadCpu();
            var clock = Stopwatch.StartNew();
            long sent = 0;
            var total = (long)(perSecond * duration.TotalSeconds);

            // At least the rate for at least the duration: a sender that falls behind keeps going until the count is reached.
            while (sent < total || clock.Elapsed < duration)
            {
                var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * perSecond) + 1);
                if (sent >= due)
                {
                    Thread.Yield();
                    continue;
                }

                try
                {
                    socket.Send(datagram);
                    sent++;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.ConnectionRefused)
                {
                }
            }

            Sent = sent;
            Cpu = ThreadCpu() - cpu;
        }

        /// <summary>This thread's user and system time from /proc (clock ticks of 10 ms).</summary>
        private static TimeSpan ThreadCpu()
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
    }
}
