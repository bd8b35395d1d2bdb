using Microsoft.Extensions.Logging;

namespace IronLb.Networking;

/// <summary>Source-generated logs; property names match MetalLB's go-kit keys (<c>ip</c>, <c>interface</c>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Responder started on {interface} ({protocol})")]
    public static partial void ResponderStarted(ILogger logger, string @interface, Responders.ResponderKind protocol);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Responder stopped on {interface} ({protocol})")]
    public static partial void ResponderStopped(ILogger logger, string @interface, Responders.ResponderKind protocol);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Cannot start responder on {interface} ({protocol})")]
    public static partial void ResponderFailed(ILogger logger, Exception exception, string @interface, Responders.ResponderKind protocol);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Receive failed on {interface}; the responder stops until the next interface scan")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string @interface);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Send failed for {ip} on {interface}")]
    public static partial void SendFailed(ILogger logger, Exception exception, string ip, string @interface);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Announcing {ip} on {interface}")]
    public static partial void Announcing(ILogger logger, string ip, InterfaceSelection @interface);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Withdrawing {ip}")]
    public static partial void Withdrawing(ILogger logger, string ip);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Cannot change solicited-node membership for {ip} on {interface}")]
    public static partial void GroupFailed(ILogger logger, Exception exception, string ip, string @interface);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Interface scan failed")]
    public static partial void ScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Cannot watch interface changes; relying on the periodic scan")]
    public static partial void WatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Responder lane on {interface} cannot be pinned to CPU {cpu} (errno {errno}); it runs unpinned")]
    public static partial void PinRefused(ILogger logger, string @interface, int cpu, int errno);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "Responder threads cannot run SCHED_FIFO {priority} (errno {errno}; needs CAP_SYS_NICE or RLIMIT_RTPRIO); they stay SCHED_OTHER")]
    public static partial void RealtimeRefused(ILogger logger, int priority, int errno);

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Responder threads cannot get a {sliceMicroseconds} µs time slice (errno {errno}); they keep the kernel's default")]
    public static partial void TimeSliceRefused(ILogger logger, double sliceMicroseconds, int errno);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "ARP and NDP replies come from the kernel (a tc program on each responder's interface)")]
    public static partial void KernelLoaded(ILogger logger);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "ARP and NDP replies stay in userspace: the kernel refused the tc program ({reason})")]
    public static partial void KernelUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Cannot attach the reply program to {interface}; the userspace responder answers there")]
    public static partial void KernelAttachFailed(ILogger logger, Exception exception, string @interface);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "The kernel did not take {count} reply entries; the userspace responders answer for them")]
    public static partial void KernelEntriesRefused(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Cannot move the kernel's answer deadline ({reason}); its replies stop when the last one passes")]
    public static partial void KernelDeadlineRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "The address-claim observer failed for {ip} on {interface}")]
    public static partial void ClaimObserverFailed(ILogger logger, Exception exception, System.Net.IPAddress ip, string @interface);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Cannot probe for address conflicts on {interface}: {reason}")]
    public static partial void ProbeFailed(ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Cannot join the solicited-node group of {ip} on {interface} for its probe; a NIC's multicast filter may hide other hosts' probes")]
    public static partial void ProbeGroupFailed(ILogger logger, Exception exception, System.Net.IPAddress ip, string @interface);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Probed {ip} on {interface}: {count} other hosts answered")]
    public static partial void Probed(ILogger logger, System.Net.IPAddress ip, string @interface, int count);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Defending {ip} on {interface} against a conflicting claim ({count} frames)")]
    public static partial void Defended(ILogger logger, string ip, string @interface, int count);
}
