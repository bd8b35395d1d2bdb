namespace IronLb.Bench;

/// <summary>Every benchmark, in the order `--help` lists them; docs/performance.md has a section for each.</summary>
internal static class Benchmarks
{
    public static readonly Benchmark[] All =
    [
        new("allocation", "Allocation time as a pool fills (100,000 Services from a /64 and a /15) against MetalLB's linear scan.",
            "[SERVICES]", ["SERVICES  how many Services to allocate (default 100000)"], AllocationBench.RunAsync),
        new("controller", "The controller against KubeSim: first allocation, a restart that must write nothing, then new Services.",
            "[SERVICES] [ADDED]", ["SERVICES  Services the first controller allocates (default 10000)", "ADDED     new Services after the restart (default 1000)"], ControllerBench.RunAsync),
        new("controller-process", "The `ironlb controller` binary as a process on KubeSim with 10,000 Services, per variant: cold start to every Service assigned, restart to ready, its memory and CPU.",
            "[SERVICES] [--runs N] [--settle DURATION] [--ironlb [LABEL=]PATH]...",
            [
                "SERVICES                 LoadBalancer Services over 50 pools (default 10000)",
                "--runs N                 runs, each every variant in turn; medians are printed (default 3)",
                "--settle DURATION        after ready, before reading memory; its CPU is the steady state (default 30s)",
                "--ironlb [LABEL=]PATH    an apphost, an ironlb.dll, their folder or a wrapper script; repeat to compare, the first is the baseline (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? ControllerProcessBench.RunAsync(args) : Task.FromResult(2)),
        new("bgp-install", "BGP: session Established → every prefix in FRR's RIB (10,000 IPv6 /128s, 736 IPv4 /32s) and sender killed → paths gone, IronLB's speaker against FRR to FRR in namespaces (root, Linux, Debian's frr).",
            "[RUNS] [--ipv6 N] [--ironlb PATH]",
            [
                "RUNS           runs per sender, the senders alternating; median and p99 are printed (default 5)",
                "--ipv6 N       IPv6 /128s announced, at least 736 (default 10000; the IPv4 /32s are all the documentation space allows)",
                "--ironlb PATH  an apphost, an ironlb.dll, their folder or a wrapper script (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? BgpInstall.BgpInstallBench.RunAsync(args) : Task.FromResult(2)),
        new("bgp-memory", "BGP: the speaker's memory with 10,000 Service prefixes announced to two FRR peers, against the same speaker and Services announced by Layer 2 only (root, Linux, Debian's frr).",
            "[RUNS] [--settle DURATION] [--ipv6 N] [--ironlb PATH]",
            [
                "RUNS               runs per mode, the modes alternating; medians are printed (default 3)",
                "--settle DURATION  from the speaker's start to reading its memory (default 30s; BGP must have installed every prefix by then)",
                "--ipv6 N           IPv6 Services, one /128 each (default 10000)",
                "--ironlb PATH      an apphost, an ironlb.dll, their folder or a wrapper script (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? BgpInstall.BgpMemoryBench.RunAsync(args) : Task.FromResult(2)),
        new("conflict", "Address conflicts in the lab: assignment → first announcement of N new Services with the speakers' probe and without (--conflict-probes=0), and a rogue's gratuitous ARP → the addressConflict event (root).",
            "[SERVICES] [NODES]", ["SERVICES  new Services per series (default 10, at most 25)", "NODES     lab nodes (default 3)"],
            args => OperatingSystem.IsLinux() ? ConflictBench.RunAsync(args) : Task.FromResult(2)),
        new("egress-apply", "One egress rule-set replacement (nftables table, rules, routes) with 1, 100 and 1,000 Services: time and system calls (root, Linux).",
            "[RUNS]", ["RUNS  timed replacements per size (default 50)"],
            args => OperatingSystem.IsLinux() ? EgressApplyBench.RunAsync(args) : Task.FromResult(2)),
        new("egress-failover", "Egress in the lab: kill -9 of the announcing speaker → first SYN with the Service's address from the new owner (ARP failover as baseline), and label applied → first such SYN (root).",
            "[RUNS] [NODES]", ["RUNS   runs per series (default 5)", "NODES  lab nodes (default 3)"],
            args => OperatingSystem.IsLinux() ? EgressFailoverBench.RunAsync(args) : Task.FromResult(2)),
        new("failover", "Failover time in the lab: the announcing speaker killed or cut off, until the new owner's ARP is seen (root, Linux).",
            "[RUNS] [NODES] [--ironlb PATH] [--membership-protocol ring|mesh] [--name NAME]", ["RUNS          runs per series (default 20)", "NODES         lab nodes (default 4)", "--ironlb PATH the ironlb to run, as for `ironlb-lab up --ironlb`", "--membership-protocol ring|mesh  passed to every speaker (default: the speaker's own, the ring)", "--name NAME   the lab's name (default fb<pid>)"],
            args => OperatingSystem.IsLinux() ? FailoverBench.RunAsync(args) : Task.FromResult(2)),
        new("kubesim", "KubeSim at a big cluster's scale: creating and listing Services, and a change reaching many watchers.",
            "[--services N] [--watchers N] [--writes N]", ["--services N  Services created (default 10000)", "--watchers N  concurrent watchers (default 50)", "--writes N    changes timed (default 200)"], KubeSimBench.RunAsync),
        new("lab-arp-latency", "ARP and NDP request→reply time for a Service address, seen from the lab's external client, beside the owner node's kernel, per variant (root, Linux).",
            "[REQUESTS] [--nodes N] [--name NAME] [--ironlb [LABEL=]PATH]...",
            [
                "REQUESTS                 requests per address and protocol (default 500)",
                "--nodes N                lab nodes (default 4)",
                "--name NAME              lab name prefix, 1-8 of a-z0-9; the variant's number is appended (default al<pid>)",
                "--ironlb [LABEL=]PATH    as for `ironlb-lab up --ironlb`; repeat to compare, the first is the baseline (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? L2Latency.LabArpLatencyBench.RunAsync(args) : Task.FromResult(2)),
        new("l2-latency", "ARP and NDP reply latency on the wire, IronLB against the kernel's own replies, and the responder's memory (root, Linux).",
            "[--threads one|percpu] [--slice-us N] [--rt PRIORITY] [--spin-us N] [--kernel on|off]",
            [
                "--threads one|percpu  one receive thread, or one per CPU (default percpu)",
                "--slice-us N          EEVDF time slice for the responder threads, 0 = kernel default (default 100)",
                "--rt PRIORITY         SCHED_FIFO for the responder threads (default off)",
                "--spin-us N           poll this long after each frame (default 0)",
                "--kernel on|off       answer in the kernel's tc program, or from userspace only (default on)",
            ],
            L2Latency.L2LatencyBench.RunAsync),
        new("membership-scale", "Membership protocols in the scale simulator at 4 to 500 nodes (traffic per node, crash detection, false failovers under 5% loss, CPU), then v2 on real UDP over loopback with 100 endpoints.",
            "[--sizes LIST|none] [--udp LIST|none] [--kills N] [--seconds N] [--crashes N] [--seed N] [--protocol v1|v2|all] [--wall-limit S]", MembershipScaleOptions.Help, MembershipScaleBench.RunAsync),
        new("plan", "`ironlb plan` over generated GitOps trees of 5,000 and 50,000 Services; exits 1 if 10x the input costs over 12x the time.",
            "", [], PlanBench.RunAsync),
        new("soak", "The chaos soak: a lab through random faults of issue 14's matrix with Service, pool and advertisement churn, judged on the wire and in the API; exits 1 on a missed target (root, Linux).",
            "[--minutes N] [--seed N] [--nodes 3|4]", SoakBench.Help,
            args => OperatingSystem.IsLinux() ? SoakBench.RunAsync(args) : Task.FromResult(2)),
        new("speaker-memory", "What one `ironlb speaker` costs a node (memory, CPU, the files it needs and maps), per way of publishing ironlb (root, Linux).",
            "[--settle DURATION] [--cpu-window DURATION] [--addresses N] [--nodes N] [--name NAME] [--ironlb [LABEL=]PATH]...",
            [
                "--settle DURATION        wait after `up` (and --addresses) before reading memory (default 30s)",
                "--cpu-window DURATION    the end of the settle time whose CPU is the steady state (default 60s, at most the settle time)",
                "--addresses N            add IPv6 Services (2001:db8:3a:1::/112, on eno2) until the lab announces N addresses (default: the example's)",
                "--nodes N                lab nodes (default 4)",
                "--name NAME              lab name prefix, 1-8 of a-z0-9; the variant's number is appended (default sm<pid>)",
                "--ironlb [LABEL=]PATH    an apphost, an ironlb.dll, their folder or a wrapper script that execs one; repeat to compare (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? SpeakerMemoryBench.RunAsync(args) : Task.FromResult(2)),
        new("speaker-startup", "Start-up to first answer: `ironlb speaker --manifests` started in a node namespace until a client asking every few ms gets its first ARP and NDP reply, per variant (root, Linux).",
            "[RUNS] [--interval-ms N] [--name PREFIX] [--ironlb [LABEL=]PATH]...",
            [
                "RUNS                     starts per variant after one warm-up round, variants alternating (default 7)",
                "--interval-ms N          the client's request period (default 2)",
                "--name PREFIX            namespace name prefix, 1-8 of a-z0-9 (default ilsu)",
                "--ironlb [LABEL=]PATH    an apphost, an ironlb.dll, their folder or a wrapper script; repeat to compare, the first is the baseline (default: the repository's build)",
            ],
            args => OperatingSystem.IsLinux() ? Startup.SpeakerStartupBench.RunAsync(args) : Task.FromResult(2)),
        new("speaker-steady", "The cluster speaker's requests to the API server in a steady state, and the writes a failover costs.",
            "[SERVICES] [SPEAKERS] [WINDOW-S]", ["SERVICES  Services (default 1000)", "SPEAKERS  speakers in this process (default 10)", "WINDOW-S  seconds requests are counted (default 60)"],
            SpeakerSteadyBench.RunAsync),
    ];

    public static void WriteOverview(TextWriter writer)
    {
        writer.WriteLine("usage: IronLb.Bench <benchmark> [options]    (IronLb.Bench <benchmark> --help for its options)");
        writer.WriteLine();
        var width = All.Max(b => b.Name.Length) + 2;
        foreach (var benchmark in All)
        {
            writer.WriteLine($"  {benchmark.Name.PadRight(width)}{benchmark.Summary}");
        }
    }
}
