using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IronLb.Networking.Interop;

/// <summary>
/// recv(2) with MSG_DONTWAIT on a managed socket's handle: the managed Socket has no per-call non-blocking
/// flag, and flipping the whole socket to non-blocking and back would cost two more system calls per poll.
/// </summary>
internal static partial class Libc
{
    public const int MsgDontWait = 0x40;
    public const int Eintr = 4;
    public const int Eagain = 11;
    public const int Enetdown = 100;

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(SafeSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(SafeSocketHandle socket, byte* buffer, nuint length, int flags);
}
