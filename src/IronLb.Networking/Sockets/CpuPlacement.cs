using System.Runtime.InteropServices;
using IronLb.Networking.Interop;

namespace IronLb.Networking.Sockets;

/// <summary>
/// Which CPUs this process may run on, and pinning or prioritising the calling thread. Failures return the
/// errno instead of throwing: every caller treats placement as an optimisation and carries on without it.
/// </summary>
internal static class CpuPlacement
{
    /// <summary>The calling thread's allowed CPUs (the process's, unless someone pinned the thread), ascending.</summary>
    public static unsafe int[] AllowedCpus()
    {
        var mask = stackalloc byte[Libc.CpuSetBytes];
        if (Libc.SchedGetAffinity(0, Libc.CpuSetBytes, mask) != 0)
        {
            return [];
        }

        var cpus = new List<int>();
        for (var i = 0; i < Libc.CpuSetBytes * 8; i++)
        {
            if ((mask[i / 8] & (1 << (i % 8))) != 0)
            {
                cpus.Add(i);
            }
        }

        return [.. cpus];
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; returns 0 or the errno (EINVAL: not allowed any more).</summary>
    public static unsafe int PinCurrentThread(int cpu)
    {
        if (cpu < 0 || cpu >= Libc.CpuSetBytes * 8)
        {
            return Libc.Einval;
        }

        var mask = stackalloc byte[Libc.CpuSetBytes];
        new Span<byte>(mask, Libc.CpuSetBytes).Clear();
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        return Libc.SchedSetAffinity(0, Libc.CpuSetBytes, mask) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Makes the calling thread SCHED_FIFO at <paramref name="priority"/>; returns 0 or the errno. EPERM unless
    /// the process has CAP_SYS_NICE or an RLIMIT_RTPRIO of at least <paramref name="priority"/>.
    /// </summary>
    public static unsafe int MakeCurrentThreadRealtime(int priority)
    {
        var param = new Libc.SchedParam { Priority = priority };
        return Libc.SchedSetScheduler(0, Libc.SchedFifo, &param) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Asks the fair scheduler (EEVDF, Linux 6.12+) for this time slice for the calling thread. A slice
    /// shorter than the running thread's lets the woken thread preempt it at once, so a lane runs as soon as
    /// the softirq that woke it ends instead of when the interrupted thread blocks or uses up its slice.
    /// Needs no privilege (policy and nice stay as they are); kernels before 6.12 accept and ignore it; the
    /// kernel clamps it to 0.1–100 ms. Returns 0 or the errno.
    /// </summary>
    public static unsafe int RequestTimeSlice(TimeSpan slice)
    {
        if (Libc.SysSchedGetAttr is not { } get || Libc.SysSchedSetAttr is not { } set)
        {
            return Libc.Enosys;
        }

        var attr = default(Libc.SchedAttr);
        if (Libc.Syscall(get, 0, &attr, sizeof(Libc.SchedAttr), 0) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        if (attr.Policy != Libc.SchedOther)
        {
            return 0; // real-time or otherwise chosen by someone else: not ours to change
        }

        attr.Size = (uint)sizeof(Libc.SchedAttr);
        attr.Flags = 0;
        attr.Runtime = (ulong)(slice.Ticks * 100);
        return Libc.Syscall(set, 0, &attr, 0, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
