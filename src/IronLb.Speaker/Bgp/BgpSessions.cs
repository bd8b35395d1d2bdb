using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using IronLb.Bgp.Peering;
using IronLb.Bgp.Session;
using IronLb.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Bgp;

/// <summary>
/// This node's BGP sessions: one <see cref="BgpPeerDriver"/> per BGPPeer that selects the node, fed the node's routes
/// on every evaluation. A session restarts only when its terms change (ASNs, address, port, source, password, timers,
/// router ID, graceful restart); a route or nodeSelector change goes through the running session as a diff. A
/// replaced session's successor dials only once the old one has sent its Cease and closed, so the router never sees
/// two connections from one node. Apply is called from the speaker's single evaluation loop.
/// </summary>
internal sealed partial class BgpSessions : IAsyncDisposable
{
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly List<Task> _stopping = [];
    private readonly HashSet<string> _unresolved = new(StringComparer.Ordinal);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private bool _disposed;

    private sealed record Session(string Peer, BgpSessionConfig Config, BgpPeerEndpoint Endpoint, BgpPeerDriver Driver, CancellationTokenSource Stop, Task Run);

    public BgpSessions(string node, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _node = node;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BgpSessions>();
    }

    /// <summary>The sessions and their drivers' last snapshots, in peer-name order (metrics, status).</summary>
    public ImmutableArray<(string Peer, BgpPeerSnapshot Snapshot)> Snapshots
    {
        get
        {
            lock (_gate)
            {
                return [.. _sessions.Values.OrderBy(s => s.Peer, StringComparer.Ordinal).Select(s => (s.Peer, s.Driver.Snapshot))];
            }
        }
    }

    /// <summary>
    /// Signalled when a session starts or stops and whenever a driver's snapshot changes; at most one signal waits, so
    /// a reader that falls behind reads the latest <see cref="Snapshots"/> once. Completed when disposed.
    /// </summary>
    public ChannelReader<bool> Changes => _changes.Reader;

    /// <param name="plan">This evaluation's sessions and routes.</param>
    /// <param name="nodeIpv4">This node's IPv4 address (the router ID when a peer names none).</param>
    /// <param name="password">A peer's MD5 password (inline, or resolved from its Secret); null for none.</param>
    public void Apply(BgpNodePlan plan, IPAddress? nodeIpv4, Func<BgpPeer, string?> password)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(password);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var wanted = plan.Peers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _sessions.Keys.Where(name => !wanted.Contains(name)).ToList())
            {
                LogSessionRemoved(_logger, gone);
                StopLocked(gone);
            }

            foreach (var peer in plan.Peers)
            {
                var config = BgpSessionSettings.For(peer, _node, nodeIpv4 ?? LocalIpv4Towards(peer));
                var secret = password(peer);
                if (peer.PasswordSecret is { } reference && secret is null)
                {
                    // Never dial without the key the peer was given: a router without MD5 configured would accept the
                    // session unprotected. It opens once the Secret can be read.
                    if (_unresolved.Add(peer.Name))
                    {
                        LogSecretUnresolved(_logger, peer.Name, reference.Name ?? "");
                    }

                    StopLocked(peer.Name);
                    continue;
                }

                _unresolved.Remove(peer.Name);
                var endpoint = Endpoint(peer, secret);
                if (!_sessions.TryGetValue(peer.Name, out var session) || session.Config != config || session.Endpoint != endpoint)
                {
                    var previous = session is null ? Task.CompletedTask : StopLocked(peer.Name);
                    if (session is not null)
                    {
                        LogSessionReplaced(_logger, peer.Name);
                    }

                    session = Start(peer.Name, config, endpoint, previous);
                    _sessions[peer.Name] = session;
                }

                session.Driver.SetRoutes(BgpRouteMapping.ToOutbound(plan.RoutesFor(peer.Name)));
            }

            _changes.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Stops every session and waits for them to close: with Cease, except where graceful restart was negotiated
    /// (the router then keeps the routes through the restart, RFC 4724).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task[] all;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The speaker is stopping and will come back (a rolling update, a node reboot): sessions with graceful
            // restart leave our routes with the router, stale, until the next speaker sends them again.
            _disposed = true;
            foreach (var name in _sessions.Keys.ToList())
            {
                _sessions[name].Driver.KeepRoutesOnStop = true;
                StopLocked(name);
            }

            all = [.. _stopping];
        }

        await Task.WhenAll(all).ConfigureAwait(false);
        _changes.Writer.TryComplete();
    }

    private static BgpPeerEndpoint Endpoint(BgpPeer peer, string? password) =>
        new(new IPEndPoint(BgpRouteMapping.ToIPAddress(peer.Address), peer.Port))
        {
            SourceAddress = peer.SourceAddress is { } source ? BgpRouteMapping.ToIPAddress(source) : null,
            Password = string.IsNullOrEmpty(password) ? null : password,
            EbgpMultiHop = peer.EbgpMultiHop,
            ConnectTimeout = peer.ConnectTime ?? BgpSessionSettings.DefaultConnectTime,
        };

    /// <summary>
    /// The address the kernel would use towards an IPv4 peer (a connected UDP socket sends nothing): the session's
    /// local address, which MetalLB uses as the router ID when nothing else names one.
    /// </summary>
    private static IPAddress? LocalIpv4Towards(BgpPeer peer)
    {
        if (peer.Address.Family != IronLb.Core.Addressing.IpFamily.IPv4)
        {
            return null;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(BgpRouteMapping.ToIPAddress(peer.Address), peer.Port));
            return (probe.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private Session Start(string peer, BgpSessionConfig config, BgpPeerEndpoint endpoint, Task previous)
    {
        var driver = new BgpPeerDriver(config, endpoint, _time, _loggerFactory.CreateLogger($"IronLb.Bgp.{peer}"), _ => _changes.Writer.TryWrite(true));
        var stop = new CancellationTokenSource();
        LogSessionStarting(_logger, peer, endpoint.Remote, config.LocalAsn);
        var run = RunAfterAsync(previous, driver, stop.Token);
        return new Session(peer, config, endpoint, driver, stop, run);
    }

    private async Task RunAfterAsync(Task previous, BgpPeerDriver driver, CancellationToken stopping)
    {
        await previous.ConfigureAwait(false);
        try
        {
            await driver.RunAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A driver bug must not take the speaker (and its Layer 2 answers) down with it.
            LogSessionFailed(_logger, e, driver.Snapshot.Peer);
        }
    }

    // Cancels the session and returns the task that ends when it has closed; the caller holds the gate.
    private Task StopLocked(string peer)
    {
        if (!_sessions.Remove(peer, out var session))
        {
            return Task.CompletedTask;
        }

        session.Stop.Cancel();
        var closed = session.Run.ContinueWith(
            async _ =>
            {
                await session.Driver.DisposeAsync().ConfigureAwait(false);
                session.Stop.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default).Unwrap();
        _stopping.RemoveAll(t => t.IsCompleted);
        _stopping.Add(closed);
        return closed;
    }

    [LoggerMessage(EventId = 250, Level = LogLevel.Information, Message = "BGP session to peer {Peer} ({Remote}) starting, local AS {Asn}")]
    private static partial void LogSessionStarting(ILogger logger, string peer, IPEndPoint remote, uint asn);

    [LoggerMessage(EventId = 251, Level = LogLevel.Information, Message = "BGP session to peer {Peer} restarting: its terms changed")]
    private static partial void LogSessionReplaced(ILogger logger, string peer);

    [LoggerMessage(EventId = 252, Level = LogLevel.Information, Message = "BGP session to peer {Peer} stopping: the peer no longer selects this node or was removed")]
    private static partial void LogSessionRemoved(ILogger logger, string peer);

    [LoggerMessage(EventId = 253, Level = LogLevel.Error, Message = "BGP peer {Peer}: its passwordSecret {Secret} cannot be read; no session until it can")]
    private static partial void LogSecretUnresolved(ILogger logger, string peer, string secret);

    [LoggerMessage(EventId = 254, Level = LogLevel.Error, Message = "BGP session to {Remote} failed; it stays down until its terms change or the speaker restarts")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, IPEndPoint remote);
}
