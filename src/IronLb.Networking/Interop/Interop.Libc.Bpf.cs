using System.Runtime.InteropServices;

namespace IronLb.Networking.Interop;

/// <summary>
/// bpf(2). glibc has no wrapper, so it goes through syscall(2) with integer and pointer arguments only,
/// which x86-64 and arm64 pass alike to variadic and fixed-argument functions (as for sched_setattr).
/// </summary>
internal static partial class Libc
{
    public const int Enoent = 2;
    public const int Enodev = 19;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static unsafe partial nint SyscallBpf(nint number, nint command, void* attr, nint size);

    /// <summary>__NR_bpf; null on architectures we have not checked.</summary>
    public static nint? SysBpf => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        _ => null,
    };
}
