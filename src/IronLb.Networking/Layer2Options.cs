namespace IronLb.Networking;

/// <summary>Settings of the <see cref="Layer2Announcer"/>. Defaults are MetalLB's.</summary>
public sealed record Layer2Options
{
    /// <summary>Interface name patterns never answered on; null means MetalLB's default list (§4.6).</summary>
    public IReadOnlyList<string>? ExcludedInterfaces { get; init; }

    /// <summary>How often host interfaces are rescanned (MetalLB: 10 s). <see cref="Layer2Announcer.Rescan"/> does it on demand.</summary>
    public TimeSpan InterfaceScanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Also rescan as soon as the kernel reports a link or IPv6 address change (rtnetlink), instead of only
    /// periodically as MetalLB does.
    /// </summary>
    public bool WatchInterfaceChanges { get; init; } = true;

    /// <summary>Gratuitous burst spacing (MetalLB: 1100 ms, issue 172).</summary>
    public TimeSpan GratuitousPeriod { get; init; } = TimeSpan.FromMilliseconds(1100);

    /// <summary>Gratuitous burst length (MetalLB: 5 s).</summary>
    public TimeSpan GratuitousWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Periodic re-announcement of every owned address, for switches that age out MAC entries; null (the
    /// default, as in MetalLB) turns it off.
    /// </summary>
    public TimeSpan? GratuitousRefreshInterval { get; init; }

    /// <summary>
    /// Answer ARP requests and neighbour solicitations for announced addresses inside the kernel, with a tc
    /// program on each interface's ingress that replies in the same softirq in which the kernel answers for
    /// its own addresses (Linux 6.6+, CAP_BPF and CAP_NET_ADMIN). Where the kernel or the privileges do not
    /// allow it, the userspace responders answer, as they always do for anything the program hands on; one
    /// line in the log says which it is.
    /// </summary>
    public bool KernelReplies { get; init; } = true;

    /// <summary>
    /// How long answers stay allowed after the speaker's last sign of life: each tick of its live loop moves the
    /// <see cref="AnswerDeadline"/> to now plus this, and /healthz fails once a tick is this late. A frozen or hung
    /// speaker (SIGSTOP, a paused VM) stops answering, in the kernel too, within this window. Twelve ticks at
    /// the default heartbeat (25 ms apart): long enough for a GC pause or a busy CPU, shorter than the 400 ms
    /// after which the peers stop hearing the node.
    /// </summary>
    public TimeSpan LivenessWindow { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often the replies the kernel sent are added to the metrics (and to the drop counts).</summary>
    public TimeSpan KernelCountInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Receive threads per responder (interface and protocol); see <see cref="Layer2Threading"/>.</summary>
    public Layer2Threading Threading { get; init; } = Layer2Threading.PerCpu;

    /// <summary>
    /// The EEVDF time slice (Linux 6.12+) requested for the responder threads, so a thread woken by a request
    /// preempts what is running instead of waiting for it (docs/performance.md, "Layer 2 reply latency").
    /// Needs no privilege and costs no CPU; null leaves the kernel's default (0.75 ms or more).
    /// </summary>
    public TimeSpan? ResponderTimeSlice { get; init; } = TimeSpan.FromMicroseconds(100);

    /// <summary>
    /// SCHED_FIFO priority (1–99) for the responder threads; null (the default) leaves them SCHED_OTHER. Needs
    /// CAP_SYS_NICE or an RLIMIT_RTPRIO at least this high, which the speaker's pod does not grant by default
    /// (it has only NET_RAW); without either, the threads stay SCHED_OTHER and one debug line says why.
    /// </summary>
    public int? RealtimePriority { get; init; }

    /// <summary>
    /// After each frame, keep polling the socket this long before blocking again, so a request that follows
    /// within the window is answered without a thread wake-up. Zero (the default) never spins; anything else
    /// keeps one CPU per busy lane fully busy for the window after every frame.
    /// </summary>
    public TimeSpan SpinAfterFrame { get; init; } = TimeSpan.Zero;
}

/// <summary>Receive threads per responder (per interface and protocol).</summary>
public enum Layer2Threading
{
    /// <summary>One thread, on whichever CPU the scheduler picks when a request wakes it.</summary>
    OneThread,

    /// <summary>
    /// One thread per CPU this process may use, each pinned to its CPU and fed (PACKET_FANOUT) the frames that
    /// CPU received, so a request wakes a thread on the CPU that is already handling it instead of another,
    /// possibly idle, one. Idle threads cost no CPU beyond four timeouts a second each.
    /// </summary>
    PerCpu,
}
