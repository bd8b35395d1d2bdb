using System.Collections.Immutable;
using System.Threading.Channels;
using IronLb.Core.Allocation;
using IronLb.Manifests;
using IronLb.Networking;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Bgp;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Files;

/// <summary>
/// The speaker without Kubernetes: reads the manifests, plans this node's announcements and hands the table
/// to the announcer; again whenever the files change (debounced) and periodically as a safety net. A read
/// that fails or a configuration that is invalid is logged and changes nothing: the last good table stays.
/// </summary>
internal sealed class ManifestSpeaker : IDisposable
{
    private readonly ManifestSpeakerOptions _options;
    private readonly Action<AnnounceTable> _publish;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<string> _pokes = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    private Dictionary<ServiceKey, ServiceDecision> _decisions = [];
    private volatile SpeakerPlan? _current;
    private long _attempts;
    private long _failures;

    /// <param name="options">What to read and for which node.</param>
    /// <param name="publish">Receives every new table (the announcer's SetTable).</param>
    /// <param name="timeProvider">All timing (debounce, periodic re-read).</param>
    /// <param name="logger">Where decisions and rejected reloads go.</param>
    public ManifestSpeaker(ManifestSpeakerOptions options, Action<AnnounceTable> publish, TimeProvider timeProvider, ILogger<ManifestSpeaker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _publish = publish;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The last good plan; null until the manifests were usable once.</summary>
    public SpeakerPlan? Current => _current;

    /// <summary>
    /// Receives this node's BGP sessions and routes after every usable evaluation (the BGP sessions' Apply), with the
    /// Secrets of MetalLB's namespace read in the same pass, for the peers' passwordSecrets.
    /// </summary>
    public Action<BgpNodePlan, ImmutableArray<ManifestSecret>>? PublishBgp { get; init; }

    public bool Ready => _current is not null;

    /// <summary>How many re-reads have finished (usable or not), so tests can wait for one.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Reloads that threw (a filesystem race or a bug) and kept the last state. Exported as a counter.</summary>
    public long EvaluationFailures => Interlocked.Read(ref _failures);

    /// <summary>Reads now, then follows the files until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var paths = string.Join(' ', _options.Paths);
            Log.Started(_logger, _options.Node, paths);
        }

        using var watcher = new ManifestWatcher(_options.Paths, () => Poke("file change"), _logger);
        if (_options.WatchFiles)
        {
            watcher.Start();
        }

        using var timer = _time.CreateTimer(_ => Poke("periodic"), null, _options.ReloadInterval, _options.ReloadInterval);
        Reload();
        try
        {
            while (true)
            {
                var trigger = await _pokes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (trigger == "file change")
                {
                    await Task.Delay(_options.Debounce, _time, cancellationToken).ConfigureAwait(false);
                }

                // Whatever arrived while settling is covered by the read we are about to do.
                while (_pokes.Reader.TryRead(out _))
                {
                }

                Log.Reloading(_logger, trigger);
                Reload();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        catch (ChannelClosedException)
        {
            // Disposed while running: also a shutdown.
        }
    }

    /// <summary>Asks for a re-read; coalesced with any pending one.</summary>
    public void Poke(string trigger) => _pokes.Writer.TryWrite(trigger);

    /// <summary>One synchronous read, plan and publish (or rejection).</summary>
    public void Reload()
    {
        lock (_gate)
        {
            try
            {
                var read = ManifestReader.Read(_options.Paths, new ManifestReadOptions { ClusterFamilies = _options.ClusterFamilies });
                Apply(SpeakerPlanner.Plan(read, _options.Node, _options.Speakers, _options.IgnoreExcludeLabel), read.Secrets);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The reader reports bad input itself; this is a filesystem race or a bug, and either way the
                // last good state is the safe answer: an escaping exception would end the speaker.
                Interlocked.Increment(ref _failures);
                Log.ReloadFailed(_logger, e);
            }
            finally
            {
                Interlocked.Increment(ref _attempts);
            }
        }
    }

    public void Dispose() => _pokes.Writer.TryComplete();

    private void Apply(SpeakerPlan plan, ImmutableArray<ManifestSecret> secrets)
    {
        if (!plan.Usable)
        {
            var kept = _current?.Table.Count ?? 0;
            foreach (var problem in plan.Problems)
            {
                Log.ReloadRejected(_logger, kept, problem);
            }

            return;
        }

        foreach (var warning in plan.Problems)
        {
            Log.ConfigWarning(_logger, warning);
        }

        if (!plan.Speakers.Contains(_options.Node, StringComparer.Ordinal) && _logger.IsEnabled(LogLevel.Warning))
        {
            Log.NodeNotASpeaker(_logger, _options.Node, string.Join(',', plan.Speakers));
        }

        var changed = _logger.IsEnabled(LogLevel.Information) ? LogChanges(plan) : Remember(plan);
        // BGP's routes ("prefix to peer") and peers by name: a reload of unchanged files logs nothing.
        changed |= _current is null
            || !_current.Bgp.Routes.Select(r => r.ToString()).SequenceEqual(plan.Bgp.Routes.Select(r => r.ToString()), StringComparer.Ordinal)
            || !_current.Bgp.Peers.Select(p => p.Name).SequenceEqual(plan.Bgp.Peers.Select(p => p.Name), StringComparer.Ordinal);
        _current = plan;
        _publish(plan.Table);
        PublishBgp?.Invoke(plan.Bgp, secrets);
        if (changed && _logger.IsEnabled(LogLevel.Information))
        {
            var announced = plan.Services.Count(s => s.Announces);
            var speakers = string.Join(',', plan.Speakers);
            // Layer 2's counts, then BGP's: a BGP-only node announces no address on the LAN but may route thousands.
            Log.Loaded(_logger, plan.Services.Length, announced, _options.Node, plan.Table.Count, speakers, plan.Bgp.Routes.Length, plan.Bgp.Peers.Length);
        }
    }

    /// <summary>Remembers the decisions without logging them (log level above info); true when any changed.</summary>
    private bool Remember(SpeakerPlan plan)
    {
        var next = plan.Services.ToDictionary(s => s.Service);
        var changed = next.Count != _decisions.Count || plan.Services.Any(d => _decisions.GetValueOrDefault(d.Service) is not { } p || !Same(p, d));
        _decisions = next;
        return changed;
    }

    /// <summary>
    /// Logs only what changed since the last good plan, so the periodic re-read stays quiet; true when
    /// anything did. Announce and withdraw are info; a Service this node merely does not win is debug.
    /// </summary>
    private bool LogChanges(SpeakerPlan plan)
    {
        var changed = false;
        var next = plan.Services.ToDictionary(s => s.Service);
        foreach (var decision in plan.Services)
        {
            var previous = _decisions.GetValueOrDefault(decision.Service);
            if (previous is not null && Same(previous, decision))
            {
                continue;
            }

            changed = true;
            if (decision.Announces)
            {
                LogAnnounced(decision);
            }
            else if (previous?.Announces == true)
            {
                LogWithdrawn(previous, decision.WithdrawReason, decision.Winner);
            }
            else if (_logger.IsEnabled(LogLevel.Debug))
            {
                var (service, ips, reason, winner) = (decision.Service.ToString(), string.Join(',', decision.Ips), decision.WithdrawReason, decision.Winner ?? "none");
                Log.ServiceNotAnnounced(_logger, service, ips, _options.Node, reason, winner);
            }
        }

        foreach (var gone in _decisions.Values.Where(d => !next.ContainsKey(d.Service)))
        {
            changed = true;
            if (gone.Announces)
            {
                LogWithdrawn(gone, "serviceDeleted", null);
            }
        }

        _decisions = next;
        return changed;
    }

    private void LogAnnounced(ServiceDecision decision)
    {
        var (service, interfaces) = (decision.Service.ToString(), Describe(decision.Interfaces));
        foreach (var ip in decision.Ips)
        {
            Log.ServiceAnnounced(_logger, service, ip, _options.Node, interfaces);
        }
    }

    private void LogWithdrawn(ServiceDecision previous, string reason, string? winner)
    {
        var service = previous.Service.ToString();
        foreach (var ip in previous.Ips)
        {
            Log.ServiceWithdrawn(_logger, service, ip, _options.Node, reason, winner ?? "none");
        }
    }

    private static bool Same(ServiceDecision a, ServiceDecision b) =>
        a.Decision == b.Decision && a.Winner == b.Winner && a.Ips.SequenceEqual(b.Ips)
        && a.Interfaces.AllInterfaces == b.Interfaces.AllInterfaces && a.Interfaces.Interfaces.SequenceEqual(b.Interfaces.Interfaces);

    private static string Describe(IronLb.Core.Announcement.InterfaceSelection s) => s.AllInterfaces ? "all interfaces" : string.Join(',', s.Interfaces);
}
