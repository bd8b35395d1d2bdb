using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IronLb.Testing.Network;

/// <summary>
/// A UDP flood from one of our namespaces: <c>rate</c> datagrams a second, from a given source address to one
/// destination, paced in 1 ms slices so the rate holds over any second rather than arriving as a single burst;
/// the payloads take turns. Datagrams go out in batches through sendmmsg(2): on two loaded cores the managed
/// Send, one system call per datagram, reached only about 13,000 a second. For the membership flood row.
/// </summary>
public static partial class UdpBlaster
{
    private const int Batch = 64;
    private const int Threads = 2;

    /// <summary>
    /// Sends for <paramref name="duration"/> and returns how many datagrams went out. Two threads share the rate,
    /// each with a socket of its own: on two cores shared with a whole lab, one thread alone gets too little CPU.
    /// </summary>
    public static async Task<long> BlastAsync(string netns, IPAddress source, IPEndPoint destination, IReadOnlyList<ReadOnlyMemory<byte>> payloads, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, Threads);
        ArgumentOutOfRangeException.ThrowIfZero(payloads.Count);
        var sockets = NetworkNamespace.Run(netns, () =>
        {
            var opened = new List<Socket>();
            try
            {
                for (var i = 0; i < Threads; i++)
                {
                    opened.Add(new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
                    opened[^1].Bind(new IPEndPoint(source, 0));
                    opened[^1].Connect(destination);
                }

                return opened;
            }
            catch
            {
                opened.ForEach(s => s.Dispose());
                throw;
            }
        });
        var sent = await Task.WhenAll(sockets.Select(socket => OnThread(socket, payloads, rate / Threads, duration, cancellationToken))).ConfigureAwait(false);
        return sent.Sum();
    }

    private static Task<long> OnThread(Socket socket, IReadOnlyList<ReadOnlyMemory<byte>> payloads, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (socket)
                {
                    done.SetResult(Run(socket, payloads, rate, duration, cancellationToken));
                }
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "udp blaster",
        };
        thread.Start();
        return done.Task;
    }

    private static unsafe long Run(Socket socket, IReadOnlyList<ReadOnlyMemory<byte>> payloads, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        // One batch of messages, payloads alternating, in native memory: nothing moves while the kernel reads it.
        var size = payloads.Sum(p => p.Length);
        var data = (byte*)NativeMemory.Alloc((nuint)size);
        var vectors = (IoVec*)NativeMemory.Alloc((nuint)(Batch * sizeof(IoVec)));
        var messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Batch * sizeof(MMsgHdr)));
        try
        {
            var offsets = new int[payloads.Count];
            for (int i = 0, at = 0; i < payloads.Count; at += payloads[i].Length, i++)
            {
                offsets[i] = at;
                payloads[i].Span.CopyTo(new Span<byte>(data + at, payloads[i].Length));
            }

            for (var i = 0; i < Batch; i++)
            {
                var p = i % payloads.Count;
                vectors[i] = new IoVec { Base = data + offsets[p], Length = (nuint)payloads[p].Length };
                messages[i].Header.Iov = &vectors[i];
                messages[i].Header.IovLength = 1;
            }

            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            long sent = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                // Catch up to where the rate says we should be by now, then yield for the rest of the slice.
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                while (sent < due && !cancellationToken.IsCancellationRequested)
                {
                    var n = SendMMsg(fd, messages, (uint)Math.Min(Batch, due - sent), 0);
                    if (n <= 0)
                    {
                        // ECONNREFUSED from an ICMP error, or a full queue: not sent; try again in the next slice.
                        break;
                    }

                    sent += n;
                }

                Thread.Sleep(1);
            }

            return sent;
        }
        finally
        {
            NativeMemory.Free(messages);
            NativeMemory.Free(vectors);
            NativeMemory.Free(data);
        }
    }

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static unsafe partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (LP64): no name (the socket is connected), one iovec, no control data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: the header and the byte count the kernel writes back.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
