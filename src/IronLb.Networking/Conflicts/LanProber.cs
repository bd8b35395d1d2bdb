using System.Net;
using IronLb.Networking.Interfaces;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// Asks a LAN whether anyone uses some addresses, before IronLB announces them: ARP probes as RFC 5227 describes
/// (sender IP 0.0.0.0, target hardware address zero) for IPv4, and Duplicate Address Detection probes as RFC 4862
/// does (a solicitation from :: to the target's solicited-node group, hop limit 255, no source link-layer option)
/// for IPv6. Every foreign MAC that claims one of the addresses during the window (any <see cref="ClaimKind"/>:
/// an answer, an announcement, its own probe) is collected. The probes go out on AF_PACKET sockets of its own,
/// opened per call and closed before it returns (CAP_NET_RAW).
/// Never throws for network problems: a missing interface or a refused socket becomes <see cref="ProbeOutcome.Error"/>,
/// naming the interface and the cause. Cancellation ends the call at once, sockets closed.
/// </summary>
public sealed class LanProber
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IInterfaceSource _interfaces;
    private readonly ILinkLayerPlatform _platform;

    /// <summary>Does no I/O: interfaces are looked up and sockets opened by each <see cref="ProbeAsync"/>.</summary>
    public LanProber(TimeProvider? time = null, ILogger<LanProber>? logger = null)
        : this(time ?? TimeProvider.System, logger, new SysfsInterfaceSource(), new LinuxLinkLayerPlatform())
    {
    }

    internal LanProber(TimeProvider time, ILogger? logger, IInterfaceSource interfaces, ILinkLayerPlatform platform)
    {
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _interfaces = interfaces;
        _platform = platform;
    }

    /// <summary>
    /// Probes <paramref name="addresses"/> on <paramref name="interfaceName"/> and returns one outcome per address,
    /// in the order given. Takes <see cref="ProbeSettings.Count"/> rounds <see cref="ProbeSettings.Interval"/> apart
    /// and <see cref="ProbeSettings.Wait"/> after the last probe, longer only when
    /// <see cref="ProbeSettings.MaxPacketsPerSecond"/> spreads many addresses out.
    /// </summary>
    public async Task<IReadOnlyList<ProbeOutcome>> ProbeAsync(string interfaceName, IReadOnlyList<IPAddress> addresses, ProbeSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(settings);
        cancellationToken.ThrowIfCancellationRequested();
        if (addresses.Count == 0)
        {
            return [];
        }

        var problem = FindInterface(interfaceName, out var info);
        if (problem is not null)
        {
            Log.ProbeFailed(_logger, interfaceName, problem);
            return [.. addresses.Select(a => new ProbeOutcome(interfaceName, a, [], problem))];
        }

        using var run = ProbeRun.Open(info!, addresses, _platform, _logger);
        if (run.CanProbe)
        {
            await run.RunAsync(settings, _time, cancellationToken).ConfigureAwait(false);
        }

        var outcomes = run.Outcomes();
        foreach (var outcome in outcomes.Where(o => o.Error is null))
        {
            Log.Probed(_logger, outcome.Address, interfaceName, outcome.Responders.Length);
        }

        return outcomes;
    }

    /// <summary>Null and the interface, or why it cannot be probed on.</summary>
    private string? FindInterface(string name, out InterfaceInfo? info)
    {
        info = null;
        try
        {
            info = _interfaces.Scan().FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot list interfaces to find {name}: {e.Message}";
        }

        return info switch
        {
            null => $"interface {name} not found",
            { IsUp: false } => $"interface {name} is down",
            { LinkType: not InterfaceInfo.LinkTypeEthernet } or { Mac.IsZero: true } => $"interface {name} is not an Ethernet interface",
            _ => null,
        };
    }
}
