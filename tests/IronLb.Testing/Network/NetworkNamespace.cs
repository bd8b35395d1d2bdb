using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Testing.Network;

/// <summary>
/// Makes sockets inside one of our network namespaces from the test process itself. A socket belongs to the
/// namespace its creating thread was in, for its whole life; setns(2) moves only the calling thread. So the work
/// runs on a thread of its own that enters the namespace and then ends: no pooled thread ever carries the
/// namespace into other code, and the sockets it made keep working from any thread.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Runs <paramref name="create"/> inside the namespace <paramref name="name"/> (as `ip netns` names it) and returns its result.</summary>
    public static T Run<T>(string name, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path.Combine("/run/netns", name));
                if (SetNs(handle, CloneNewNet) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into network namespace {name}");
                }

                result = create();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>The index of <paramref name="device"/> in the calling thread's namespace (call it inside <see cref="Run{T}"/>).</summary>
    public static int InterfaceIndex(string device)
    {
        var index = IfNameToIndex(device);
        return index != 0 ? (int)index : throw new Win32Exception(Marshal.GetLastPInvokeError(), $"no interface {device}");
    }

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint IfNameToIndex(string name);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int nsType);
}
