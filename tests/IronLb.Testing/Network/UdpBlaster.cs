using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IronLb.Testing.Network;

/// <summary>
/// A UDP flood from one of our namespaces: <c>rate</c> datagrams a second, from a given source
/// address to one destination, paced in 1 ms slices so the rate holds over any second rather than arriving
/// as a single burst; the payloads take turns. For the membership flood row of the fault matrix.
/// </summary>
public static class UdpBlaster
{
    /// <summary>Sends for <paramref name="duration"/> (on a thread of its own) and returns how many datagrams went out.</summary>
    public static Task<long> BlastAsync(string netns, IPAddress source, IPEndPoint destination, IReadOnlyList<ReadOnlyMemory<byte>> payloads, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfZero(payloads.Count);
        var socket = NetworkNamespace.Run(netns, () =>
        {
            var s = new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                s.Bind(new IPEndPoint(source, 0));
                s.Connect(destination);
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        });
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using (socket)
            {
                long attempted = 0, sent = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
                {
                    // Catch up to where the rate says we should be by now, then yield for the rest of the slice.
                    var due = (long)(clock.Elapsed.TotalSeconds * rate);
                    for (; attempted < due; attempted++)
                    {
                        try
                        {
                            socket.Send(payloads[(int)(attempted % payloads.Count)].Span);
                            sent++;
                        }
                        catch (SocketException)
                        {
                            // ICMP port unreachable from an earlier datagram, or a full queue: not sent, the flood goes on.
                        }
                    }

                    Thread.Sleep(1);
                }

                done.SetResult(sent);
            }
        })
        {
            IsBackground = true,
            Name = "udp blaster",
        };
        thread.Start();
        return done.Task;
    }
}
