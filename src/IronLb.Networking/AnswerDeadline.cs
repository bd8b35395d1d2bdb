namespace IronLb.Networking;

/// <summary>
/// The instant after which this node stops answering ARP and NDP, in the kernel and in userspace alike,
/// unless a live process has moved it forward (docs/design/membership-v2.md, "Fencing", item 3). A frozen
/// or hung speaker (SIGSTOP, a paused VM, a stuck runtime) cannot refresh it, so its in-kernel replies stop
/// on their own within the window while the other nodes take its addresses over.
/// </summary>
/// <remarks>
/// <para>
/// The clock is the <see cref="TimeProvider"/>'s timestamp. With <see cref="TimeProvider.System"/> on Linux
/// that is <see cref="System.Diagnostics.Stopwatch"/>, which .NET reads with clock_gettime(CLOCK_MONOTONIC)
/// at 1 GHz (System.Native's SystemNative_GetTimestamp): the clock bpf_ktime_get_ns reads in the tc
/// program, so the deadline goes into the kernel's map unchanged. KernelReplyProgramTests checks the two
/// agree on a live kernel.
/// </para>
/// <para>
/// Until the first <see cref="Refresh"/> or <see cref="Revoke"/> the deadline is unbounded, so an announcer
/// nobody refreshes (tools, tests) answers as before; the speakers refresh it from their first tick.
/// </para>
/// </remarks>
public sealed class AnswerDeadline
{
    /// <summary>The kernel map's value for "never refreshed": answer without a deadline.</summary>
    internal const ulong UnboundedNanoseconds = ulong.MaxValue;

    /// <summary>The kernel map's value for "not answering" (also what a fresh BPF array holds).</summary>
    internal const ulong RevokedNanoseconds = 0;

    private const long Unbounded = long.MaxValue;
    private const long Revoked = long.MinValue;
    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _deadline = Unbounded;
    private Action<ulong>? _kernel;

    public AnswerDeadline(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>True while requests may be answered: not revoked, and now is not past the deadline.</summary>
    public bool IsOpen => _time.GetTimestamp() <= Volatile.Read(ref _deadline);

    /// <summary>Time left before answers stop: null when unbounded, zero when revoked or passed.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            var deadline = Volatile.Read(ref _deadline);
            if (deadline == Unbounded)
            {
                return null;
            }

            var now = _time.GetTimestamp();
            return deadline == Revoked || deadline < now ? TimeSpan.Zero : _time.GetElapsedTime(now, deadline);
        }
    }

    /// <summary>The deadline as the kernel's map holds it: CLOCK_MONOTONIC nanoseconds, 0 = revoked, max = unbounded.</summary>
    internal ulong KernelValue => ToKernel(Volatile.Read(ref _deadline), _time.TimestampFrequency);

    /// <summary>Answers may be sent until now + <paramref name="validFor"/>, and not after unless refreshed again.</summary>
    public void Refresh(TimeSpan validFor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validFor, TimeSpan.Zero);
        var ticks = (Int128)validFor.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond;
        var deadline = (Int128)_time.GetTimestamp() + ticks;
        Set(deadline >= Unbounded ? Unbounded - 1 : (long)deadline);
    }

    /// <summary>Stops every answer now (shutdown: before the goodbye that lets the others take over).</summary>
    public void Revoke() => Set(Revoked);

    /// <summary>
    /// Mirrors the deadline into the kernel's map through <paramref name="write"/> (null unbinds): now, and on
    /// every change until unbound. Writes are serialised with changes, so the map never goes back to an
    /// older value.
    /// </summary>
    internal void Bind(Action<ulong>? write)
    {
        lock (_gate)
        {
            _kernel = write;
            write?.Invoke(KernelValue);
        }
    }

    /// <summary>Timestamp (in <paramref name="frequency"/> ticks per second) to the kernel's CLOCK_MONOTONIC nanoseconds.</summary>
    internal static ulong ToKernel(long deadline, long frequency) => deadline switch
    {
        Unbounded => UnboundedNanoseconds,
        Revoked => RevokedNanoseconds,
        < 0 => RevokedNanoseconds,
        _ when frequency == NanosecondsPerSecond => (ulong)deadline,
        _ => (ulong)Int128.Clamp((Int128)deadline * NanosecondsPerSecond / frequency, 1, UnboundedNanoseconds - 1),
    };

    private void Set(long deadline)
    {
        lock (_gate)
        {
            Volatile.Write(ref _deadline, deadline);
            _kernel?.Invoke(ToKernel(deadline, _time.TimestampFrequency));
        }
    }
}
