using System.Runtime.InteropServices;

namespace IronLb.Networking.Interop;

/// <summary>
/// Thread placement for the responder lanes. The managed runtime exposes only process-wide affinity, and
/// a lane must sit on one CPU (its own thread, pid 0 = the calling thread), so these go to libc directly.
/// </summary>
internal static partial class Libc
{
    /// <summary>Bytes in the cpu_set_t we pass: 1024 CPUs, glibc's CPU_SETSIZE; the kernel accepts any multiple of a long.</summary>
    public const int CpuSetBytes = 128;

    public const int SchedOther = 0;
    public const int SchedFifo = 1;

    public const int Eperm = 1;
    public const int Einval = 22;
    public const int Enosys = 38;

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    public static unsafe partial int SchedGetAffinity(int pid, nint cpuSetSize, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static unsafe partial int SchedSetAffinity(int pid, nint cpuSetSize, byte* mask);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static unsafe partial int SchedSetScheduler(int pid, int policy, SchedParam* param);

    /// <summary>
    /// sched_getattr/sched_setattr have glibc wrappers only since 2.41, so they go through syscall(2). The
    /// call passes only integers, which the x86-64 and arm64 calling conventions pass alike to variadic
    /// and fixed-argument functions.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial nint Syscall(nint number, nint a1, SchedAttr* a2, nint a3, nint a4);

    /// <summary>__NR_sched_setattr; null on architectures we have not checked.</summary>
    public static nint? SysSchedSetAttr => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 314,
        Architecture.Arm64 => 274,
        _ => null,
    };

    /// <summary>__NR_sched_getattr.</summary>
    public static nint? SysSchedGetAttr => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 315,
        Architecture.Arm64 => 275,
        _ => null,
    };

    /// <summary>struct sched_attr as of SCHED_ATTR_SIZE_VER0 (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    /// <summary>struct sched_param.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SchedParam
    {
        public int Priority;
    }
}
