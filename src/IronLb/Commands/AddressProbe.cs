using System.Net;
using IronLb.Networking.Conflicts;

namespace IronLb.Commands;

/// <summary>
/// How `plan --probe` asks a LAN who uses some addresses: the real <see cref="LanProber"/> by default, a fixed
/// answer in tests (so the output and the exit codes are tested without root or a LAN).
/// </summary>
internal delegate Task<IReadOnlyList<ProbeOutcome>> AddressProbe(string interfaceName, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken);

internal static class LanAddressProbe
{
    /// <summary>Null when probing on <paramref name="interfaceName"/> can work here, else why not (checked before
    /// anything is read, so a plain user or a mistyped interface gets one clear line, not a plan).</summary>
    public delegate string? Precheck(string interfaceName);

    /// <summary>RFC 5227 ARP probes and DAD solicitations with the speaker's defaults (about 0.8 s in all, whatever the count: the
    /// addresses are probed together, at most 50 packets a second).</summary>
    public static AddressProbe Default { get; } = (interfaceName, addresses, cancellationToken) =>
        new LanProber().ProbeAsync(interfaceName, addresses, ProbeSettings.Default, cancellationToken);

    /// <summary>Root (raw AF_PACKET sockets) and an interface of that name in this network namespace.</summary>
    public static Precheck Machine { get; } = interfaceName =>
        !Environment.IsPrivilegedProcess ? $"--probe needs root (it sends ARP probes and DAD solicitations on raw sockets): run it with sudo"
        : interfaceName.Length == 0 || interfaceName.Contains('/', StringComparison.Ordinal) || interfaceName is "." or ".."
            || !Directory.Exists(Path.Combine("/sys/class/net", interfaceName))
            ? $"--probe {interfaceName}: no such interface here (see `ip link`)"
            : null;

    /// <summary>Tests: everything is possible.</summary>
    public static Precheck None { get; } = _ => null;
}
