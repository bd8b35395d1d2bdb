using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IronLb.Networking.Interop;

namespace IronLb.Networking.Sockets;

/// <summary>
/// Calls back when the kernel reports a link or IPv6 address change (rtnetlink multicast groups), so
/// responders follow interfaces within milliseconds instead of waiting for the periodic scan. Message
/// contents are not parsed: any change triggers one rescan per burst, and the scan reads sysfs as always.
/// </summary>
internal sealed class NetlinkLinkMonitor : IDisposable
{
    private readonly Socket _socket;
    private readonly Action _onChange;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private NetlinkLinkMonitor(Socket socket, Action onChange)
    {
        _socket = socket;
        _onChange = onChange;
        _thread = new Thread(Run) { IsBackground = true, Name = "l2-netlink" };
    }

    public static unsafe NetlinkLinkMonitor Start(Action onChange)
    {
        var fd = Libc.Socket(Libc.AfNetlink, Libc.SockRaw | Libc.SockCloexec, Libc.NetlinkRoute);
        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socket(AF_NETLINK)");
        }

        var address = new Libc.SockaddrNl { Family = Libc.AfNetlink, Groups = Libc.RtmgrpLink | Libc.RtmgrpIpv6Ifaddr };
        if (Libc.Bind(fd, &address, sizeof(Libc.SockaddrNl)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            throw new Win32Exception(errno, "bind(AF_NETLINK)");
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 250 };
        var monitor = new NetlinkLinkMonitor(socket, onChange);
        monitor._thread.Start();
        return monitor;
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        var buffer = new byte[16384];
        while (!_stopping)
        {
            try
            {
                var n = _socket.Receive(buffer, SocketFlags.None, out var error);
                if (error is SocketError.TimedOut or SocketError.WouldBlock || n <= 0 && error == SocketError.Success)
                {
                    continue;
                }

                // Drain the rest of the burst (a link coming up sends several messages), then scan once.
                // Poll, not Available: FIONREAD is not supported on netlink sockets.
                while (_socket.Poll(0, SelectMode.SelectRead))
                {
                    _ = _socket.Receive(buffer, SocketFlags.None, out _);
                }

                _onChange();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                if (_stopping)
                {
                    return;
                }
            }
        }
    }
}
