using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using IronLb.Networking.Interop;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The few bpf(2) commands IronLB uses: hash and array maps, a tc program, its TCX attachment, and the kernel's
/// own test runner. Every object is a file descriptor in a <see cref="SafeFileHandle"/>, so the kernel
/// drops the program and detaches it when the process exits, however it exits: a killed speaker cannot
/// leave an address answered behind it.
/// </summary>
internal static class Bpf
{
    private const int CmdMapCreate = 0;
    private const int CmdMapLookup = 1;
    private const int CmdMapUpdate = 2;
    private const int CmdMapDelete = 3;
    private const int CmdProgLoad = 5;
    private const int CmdProgTestRun = 10;
    private const int CmdLinkCreate = 28;

    private const int MapTypeHash = 1;
    private const int MapTypeArray = 2;
    private const int MapFlagNoPrealloc = 1;
    private const int ProgTypeSchedCls = 3;
    private const int AttachTypeTcxIngress = 46;

    /// <summary>Big enough for every field we set; the kernel accepts a larger union if the tail is zero.</summary>
    private const int AttrSize = 128;

    /// <summary>A hash map that allocates entries as they are added (no preallocation of max entries).</summary>
    public static SafeFileHandle CreateHashMap(string name, int keySize, int valueSize, int maxEntries)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, MapTypeHash);
        BinaryPrimitives.WriteInt32LittleEndian(attr[4..], keySize);
        BinaryPrimitives.WriteInt32LittleEndian(attr[8..], valueSize);
        BinaryPrimitives.WriteInt32LittleEndian(attr[12..], maxEntries);
        BinaryPrimitives.WriteInt32LittleEndian(attr[16..], MapFlagNoPrealloc);
        WriteName(attr.Slice(28, 16), name);
        return new SafeFileHandle(Invoke(CmdMapCreate, attr, "create map"), ownsHandle: true);
    }

    /// <summary>An array map: <paramref name="maxEntries"/> zeroed values, keyed by a u32 index.</summary>
    public static SafeFileHandle CreateArrayMap(string name, int valueSize, int maxEntries)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, MapTypeArray);
        BinaryPrimitives.WriteInt32LittleEndian(attr[4..], sizeof(uint));
        BinaryPrimitives.WriteInt32LittleEndian(attr[8..], valueSize);
        BinaryPrimitives.WriteInt32LittleEndian(attr[12..], maxEntries);
        WriteName(attr.Slice(28, 16), name);
        return new SafeFileHandle(Invoke(CmdMapCreate, attr, "create map"), ownsHandle: true);
    }

    public static unsafe void Update(SafeFileHandle map, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            _ = Invoke(CmdMapUpdate, ElementAttr(map, k, v, attr), "update map element");
        }
    }

    /// <summary>Deletes the entry; false when there was none.</summary>
    public static unsafe bool Delete(SafeFileHandle map, ReadOnlySpan<byte> key)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        fixed (byte* k = key)
        {
            return Found(TryInvoke(CmdMapDelete, ElementAttr(map, k, null, attr), out _), "delete map element");
        }
    }

    /// <summary>Reads the entry into <paramref name="value"/>; false when there is none.</summary>
    public static unsafe bool Lookup(SafeFileHandle map, ReadOnlySpan<byte> key, Span<byte> value)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            return Found(TryInvoke(CmdMapLookup, ElementAttr(map, k, v, attr), out _), "look up map element");
        }
    }

    /// <summary>Loads a tc (SCHED_CLS) program; a refusal carries the verifier's log in the exception.</summary>
    public static SafeFileHandle LoadSchedCls(string name, ReadOnlySpan<EbpfInstruction> program, string license)
    {
        var fd = LoadCore(name, program, license, [], out var errno);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        // Load again with the verifier's log on, only now that we know we need it.
        var log = new byte[256 * 1024];
        _ = LoadCore(name, program, license, log, out _);
        var text = Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0)));
        throw new BpfException("load program", errno, text);
    }

    /// <summary>Attaches a tc program to an interface's ingress through a TCX link (Linux 6.6+); closing the link detaches it.</summary>
    public static SafeFileHandle AttachTcxIngress(SafeFileHandle program, int interfaceIndex)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, (int)program.DangerousGetHandle());
        BinaryPrimitives.WriteInt32LittleEndian(attr[4..], interfaceIndex);
        BinaryPrimitives.WriteInt32LittleEndian(attr[8..], AttachTypeTcxIngress);
        return new SafeFileHandle(Invoke(CmdLinkCreate, attr, "attach to tcx ingress"), ownsHandle: true);
    }

    /// <summary>
    /// Runs the program once on <paramref name="frame"/> in the kernel (BPF_PROG_TEST_RUN) as if it had
    /// arrived on the loopback interface: returns the program's verdict and the frame as it left the program.
    /// </summary>
    public static (int Verdict, byte[] Output) TestRun(SafeFileHandle program, ReadOnlySpan<byte> frame)
    {
        var (verdict, output, _) = TestRun(program, frame, repeat: 1);
        return (verdict, output);
    }

    /// <summary>As <see cref="TestRun(SafeFileHandle, ReadOnlySpan{byte})"/>, <paramref name="repeat"/> times; also the kernel's average run time in nanoseconds.</summary>
    public static unsafe (int Verdict, byte[] Output, uint AverageNanoseconds) TestRun(SafeFileHandle program, ReadOnlySpan<byte> frame, int repeat)
    {
        var output = new byte[Math.Max(frame.Length, 64) + 256];
        Span<byte> attr = stackalloc byte[AttrSize];
        attr.Clear();
        fixed (byte* input = frame)
        fixed (byte* o = output)
        {
            BinaryPrimitives.WriteInt32LittleEndian(attr, (int)program.DangerousGetHandle());
            BinaryPrimitives.WriteInt32LittleEndian(attr[8..], frame.Length);
            BinaryPrimitives.WriteInt32LittleEndian(attr[12..], output.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], (ulong)input);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[24..], (ulong)o);
            BinaryPrimitives.WriteInt32LittleEndian(attr[32..], repeat);
            _ = Invoke(CmdProgTestRun, attr, "test-run program");
        }

        var verdict = BinaryPrimitives.ReadInt32LittleEndian(attr[4..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(attr[12..]);
        return (verdict, output[..length], BinaryPrimitives.ReadUInt32LittleEndian(attr[36..]));
    }

    private static unsafe int LoadCore(string name, ReadOnlySpan<EbpfInstruction> program, string license, byte[] log, out int errno)
    {
        Span<byte> attr = stackalloc byte[AttrSize];
        attr.Clear();
        var licenseBytes = Encoding.ASCII.GetBytes(license + "\0");
        fixed (EbpfInstruction* code = program)
        fixed (byte* l = licenseBytes)
        fixed (byte* logBuffer = log)
        {
            BinaryPrimitives.WriteInt32LittleEndian(attr, ProgTypeSchedCls);
            BinaryPrimitives.WriteInt32LittleEndian(attr[4..], program.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], (ulong)code);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], (ulong)l);
            if (log.Length > 0)
            {
                BinaryPrimitives.WriteInt32LittleEndian(attr[24..], 1);
                BinaryPrimitives.WriteInt32LittleEndian(attr[28..], log.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(attr[32..], (ulong)logBuffer);
            }

            WriteName(attr.Slice(48, 16), name);
            errno = TryInvoke(CmdProgLoad, attr, out var fd);
            return errno == 0 ? fd : -1;
        }
    }

    private static unsafe Span<byte> ElementAttr(SafeFileHandle map, byte* key, byte* value, Span<byte> attr)
    {
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, (int)map.DangerousGetHandle());
        BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], (ulong)key);
        BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], (ulong)value);
        return attr;
    }

    /// <summary>Object names: at most 15 characters of [A-Za-z0-9_.], NUL-terminated.</summary>
    private static void WriteName(Span<byte> field, string name)
    {
        var length = Math.Min(name.Length, field.Length - 1);
        Encoding.ASCII.GetBytes(name.AsSpan(0, length), field);
    }

    private static bool Found(int errno, string what) => errno switch
    {
        0 => true,
        Libc.Enoent => false,
        _ => throw new BpfException(what, errno),
    };

    private static int Invoke(int command, Span<byte> attr, string what)
    {
        var errno = TryInvoke(command, attr, out var result);
        return errno == 0 ? result : throw new BpfException(what, errno);
    }

    /// <summary>Returns 0 and the syscall's result, or the errno.</summary>
    private static unsafe int TryInvoke(int command, Span<byte> attr, out int result)
    {
        result = -1;
        if (Libc.SysBpf is not { } number)
        {
            return Libc.Enosys;
        }

        fixed (byte* a = attr)
        {
            var r = Libc.SyscallBpf(number, command, a, attr.Length);
            if (r < 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            result = (int)r;
            return 0;
        }
    }
}

/// <summary>A bpf(2) command the kernel refused; <see cref="VerifierLog"/> is set when a program was rejected.</summary>
internal sealed class BpfException(string operation, int errno, string? verifierLog = null)
    : Exception($"bpf: cannot {operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})"
        + (string.IsNullOrEmpty(verifierLog) ? string.Empty : $"\nverifier log:\n{verifierLog}"))
{
    public int Errno { get; } = errno;

    public string? VerifierLog { get; } = verifierLog;

    /// <summary>One line for the log: what was refused and, for the usual causes, what would allow it.</summary>
    public string Reason => Errno switch
    {
        Interop.Libc.Eperm => $"{Message.Split('\n')[0]}; needs CAP_BPF and CAP_NET_ADMIN, and a seccomp profile that allows bpf(2) with them",
        Interop.Libc.Einval or Interop.Libc.Enosys => $"{Message.Split('\n')[0]}; TCX needs Linux 6.6 or later",
        _ => Message.Split('\n')[0],
    };
}
