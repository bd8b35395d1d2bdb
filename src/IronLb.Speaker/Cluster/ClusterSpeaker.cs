using System.Collections.Frozen;
using System.Net;
using System.Threading.Channels;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Events;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Mapping;
using IronLb.Kubernetes.Status;
using IronLb.Networking;
using IronLb.Speaker.Announcing;
using IronLb.Speaker.Membership;
using IronLb.Speaker.Membership.ApiMode;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Speaker.Cluster;

/// <summary>
/// `ironlb speaker --node NAME`: MetalLB's Layer 2 speaker on a live cluster. Informers feed one evaluation
/// loop that runs Core's election for every LoadBalancer Service over the live speakers (from the heartbeat
/// membership) and hands the resulting table to the announcer; a membership change, a Service, endpoint,
/// node, pool or advertisement change each re-run it at once. Around it: ServiceL2Status objects, events
/// nodeAssigned/announceFailed, this speaker's ConfigurationState, and its Lease, which tells the other
/// speakers where it listens and whether it may be elected (renewed every period, O(nodes) writes).
/// Nothing else is written while nothing changes.
/// </summary>
internal sealed partial class ClusterSpeaker : IDisposable
{
    private readonly ClusterSpeakerOptions _options;
    private readonly Action<AnnounceTable> _publish;
    private readonly Func<IReadOnlySet<string>?> _localInterfaces;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<IpAddressPoolObject> _pools;
    private readonly Informer<L2AdvertisementObject> _advertisements;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<V1Lease> _leases;
    private readonly Informer<V1ServiceCIDR> _serviceCidrs;
    private readonly DynamicClient _discovery;
    private readonly KubeConnection _connection;
    private bool _readsServiceCidrs;
    private readonly SpeakerLeaseRenewer _leaseRenewer;
    private readonly SpeakerLeaseWatch _leaseWatch;
    private readonly L2StatusReconciler _statuses;
    private readonly ConfigurationStateReporter _stateReporter;
    private readonly ResourceClient<V1Pod> _pods;
    private readonly ServiceEventQueue _events;
    private readonly Channel<string> _pokes = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource<IPAddress> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Dictionary<ServiceKey, ServiceDecision> _decisions = [];
    private FrozenDictionary<string, IPEndPoint> _peers = FrozenDictionary<string, IPEndPoint>.Empty;
    private IReadOnlyList<string>? _readyNodes;
    private LoadBalancerConfig? _config;
    private IReadOnlyList<string> _configErrors = [];
    private IReadOnlyList<string> _configWarnings = [];
    private ISpeakerMembership? _membership;
    private int _configDirty = 1;
    private volatile SpeakerPlan? _current;
    private volatile bool _ready;
    private volatile SpeakerLeaseContent? _leaseContent;
    private IPEndPoint? _endpoint;
    private long _discoveryStart;
    private bool _discoverySettled;
    private long _evaluations;
    private long _evaluationFailures;

    /// <param name="connection">The API server.</param>
    /// <param name="options">Node, namespace, membership settings.</param>
    /// <param name="publish">Receives every new announce table (the announcer's SetTable).</param>
    /// <param name="localInterfaces">This host's interfaces with a responder; null when unknown.</param>
    /// <param name="time">All timing.</param>
    /// <param name="loggerFactory">Logs.</param>
    public ClusterSpeaker(KubeConnection connection, ClusterSpeakerOptions options, Action<AnnounceTable> publish, Func<IReadOnlySet<string>?> localInterfaces, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(localInterfaces);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentException.ThrowIfNullOrEmpty(options.Node);
        _options = options;
        _connection = connection;
        _publish = publish;
        _localInterfaces = localInterfaces;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ClusterSpeaker>();
        var informerLogger = loggerFactory.CreateLogger("IronLb.Informer");
        var watch = options.WatchTimeoutSeconds;
        _services = new Informer<V1Service>(connection, ResourceTypes.ServicesTrimmed, time, informerLogger) { WatchTimeoutSeconds = watch };
        _slices = new Informer<V1EndpointSlice>(connection, ResourceTypes.EndpointSlices, time, informerLogger) { WatchTimeoutSeconds = watch };
        _nodes = new Informer<V1Node>(connection, ResourceTypes.Nodes, time, informerLogger) { WatchTimeoutSeconds = watch };
        _pools = new Informer<IpAddressPoolObject>(connection, ResourceTypes.IpAddressPools(options.Namespace), time, informerLogger) { WatchTimeoutSeconds = watch };
        _advertisements = new Informer<L2AdvertisementObject>(connection, ResourceTypes.L2Advertisements(options.Namespace), time, informerLogger) { WatchTimeoutSeconds = watch };
        _namespaces = new Informer<V1Namespace>(connection, ResourceTypes.Namespaces, time, informerLogger) { WatchTimeoutSeconds = watch };
        _leases = new Informer<V1Lease>(connection, ResourceTypes.Leases.InNamespace(options.Namespace), time, informerLogger) { WatchTimeoutSeconds = watch };
        _serviceCidrs = new Informer<V1ServiceCIDR>(connection, ResourceTypes.ServiceCidrs, time, informerLogger) { WatchTimeoutSeconds = watch };
        _discovery = new DynamicClient(connection);
        var writeLogger = loggerFactory.CreateLogger("IronLb.Status");
        _statuses = new L2StatusReconciler(connection, options.Namespace, options.Node, watch, options.StatusSettle, Writes, time, loggerFactory.CreateLogger<L2StatusReconciler>())
        {
            Assigned = key => RecordEvent(key, "Normal", "nodeAssigned", $"announcing from node \"{options.Node}\" with protocol \"layer2\""),
        };
        _stateReporter = new ConfigurationStateReporter(connection, ConfigurationStateIdentity.Speaker(options.Namespace, options.Node), time, Writes, writeLogger);
        _leaseWatch = new SpeakerLeaseWatch(time);
        _leaseRenewer = new SpeakerLeaseRenewer(connection, options.Namespace, options.Node, options.LeaseRenewInterval, () => _leaseContent, time, Writes, loggerFactory.CreateLogger<SpeakerLeaseRenewer>())
        {
            Written = _leaseWatch.Written,
        };
        _pods = new ResourceClient<V1Pod>(connection, ResourceTypes.Pods);
        _events = new ServiceEventQueue(new EventRecorder(connection, "metallb-speaker", time, loggerFactory.CreateLogger<EventRecorder>()));
    }

    /// <summary>
    /// Where this node's ARP and NDP replies come from (<see cref="ReplyPaths.Format"/>), published on its
    /// ConfigurationState when it changes; null when not known (tests without an announcer).
    /// </summary>
    public Func<string?>? Replies { get; init; }

    /// <summary>
    /// After every membership tick (see <see cref="ISpeakerMembership.Ticked"/>): liveness for the answer deadline and
    /// /healthz, with the membership's own bound on answering (null: none; zero: fenced, answer nothing).
    /// </summary>
    public Action<TimeSpan?>? MembershipTicked { get; init; }

    /// <summary>Once the membership ticks have stopped, before the goodbye (see <see cref="ISpeakerMembership.Leaving"/>).</summary>
    public Action? MembershipLeaving { get; init; }

    /// <summary>Every write of this speaker to the API server, and the failed ones.</summary>
    public WriteCounter Writes { get; } = new();

    /// <summary>Membership datagrams accepted and refused, by reason.</summary>
    public MembershipCounters MembershipCounters { get; } = new();

    /// <summary>The address membership listens on and advertises, once known (the endpoints default to it).</summary>
    public Task<IPAddress> MembershipAddress => _address.Task;

    /// <summary>The last evaluation; null before the first one with a configuration.</summary>
    public SpeakerPlan? Current => _current;

    /// <summary>True once every informer has synced and the first evaluation ran.</summary>
    public bool Ready => _ready;

    /// <summary>The membership's current view (empty before it starts).</summary>
    public MembershipView View => _membership?.View ?? MembershipView.Empty;

    /// <summary>How many evaluations have finished, so tests and benchmarks can wait for one.</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);

    /// <summary>Evaluations that threw (a bug or a poison object); the last table stayed. Exported as a counter.</summary>
    public long EvaluationFailures => Interlocked.Read(ref _evaluationFailures);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Refuse to run unauthenticated before touching the network or the API.
        var key = MembershipKey.Create(_options.MembershipKey, _options.InsecureMembership);
        if (key.IsInsecure)
        {
            LogInsecure(_logger);
        }

        _services.Changed += _ => Poke("service");
        _slices.Changed += _ => Poke("endpoints");
        _nodes.Changed += _ => ConfigChanged("node");
        _pools.Changed += _ => ConfigChanged("pool");
        _advertisements.Changed += _ => ConfigChanged("advertisement");
        _namespaces.Changed += _ => ConfigChanged("namespace");
        // Every speaker renews its Lease every period: only a new or moved endpoint is worth an evaluation.
        _leases.Changed += change =>
        {
            _leaseWatch.Observe(change);
            if (SpeakerDirectory.IsNews(change.New, _peers, _options.Node))
            {
                Poke("speakers");
            }
        };

        ClearEgressState(stopping: false);
        _stopping = cancellationToken;
        using var stopInformers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        List<Func<CancellationToken, Task>> runs = [_services.RunAsync, _slices.RunAsync, _nodes.RunAsync, _pools.RunAsync, _advertisements.RunAsync, _namespaces.RunAsync, _leases.RunAsync];
        List<Func<CancellationToken, Task>> syncs = [_services.WaitForSyncAsync, _slices.WaitForSyncAsync, _nodes.WaitForSyncAsync, _pools.WaitForSyncAsync, _advertisements.WaitForSyncAsync, _namespaces.WaitForSyncAsync, _leases.WaitForSyncAsync];
        if (_options.Egress && await ServesServiceCidrsAsync(cancellationToken).ConfigureAwait(false))
        {
            _serviceCidrs.Changed += _ => Poke("servicecidr");
            runs.Add(_serviceCidrs.RunAsync);
            syncs.Add(_serviceCidrs.WaitForSyncAsync);
            _readsServiceCidrs = true;
        }

        await AddBgpAsync(runs, syncs, cancellationToken).ConfigureAwait(false);

        var running = runs.Select(run => run(stopInformers.Token)).ToList();
        using var stopMembership = new CancellationTokenSource();
        var background = new List<Task>();
        UdpMembershipTransport? transport = null;
        try
        {
            await Task.WhenAll(syncs.Select(sync => sync(cancellationToken))).ConfigureAwait(false);
            var self = _nodes.Get(_options.Node);
            if (self is null)
            {
                LogNodeMissing(_logger, _options.Node);
            }

            var address = _options.MembershipAddress ?? SpeakerDirectory.InternalIp(self)
                ?? throw new InvalidOperationException($"node {_options.Node} has no InternalIP to exchange heartbeats on; set --membership-address");
            var owner = await ResolveOwnerAsync(cancellationToken).ConfigureAwait(false);
            _statuses.Owner = owner;
            if (_bgpStatuses is not null)
            {
                _bgpStatuses.Owner = owner;
            }

            // The advertised address only, never the wildcard: datagrams to the host's other interfaces never reach membership.
            transport = UdpMembershipTransport.Open(new IPEndPoint(address, _options.MembershipPort));
            _address.TrySetResult(address);
            var endpoint = new IPEndPoint(address, ((IPEndPoint)transport.LocalEndPoint).Port);
            _endpoint = endpoint;
            // Not eligible until a valid configuration and known peers: the others cover its share meanwhile.
            _membership = CreateMembership(key, transport);
            _membership.Changed += (_, _) => Poke("membership");
            _membership.Ticked = MembershipTicked;
            _membership.Leaving = MembershipLeaving;
            _membership.LeaseEvidence = () => _leaseWatch.Evidence;
            UpdateMembershipInputs();
            _discoveryStart = _time.GetTimestamp();
            LogStarted(_logger, _options.Node, endpoint, _peers.Count);

            background.Add(_membership.RunAsync(stopMembership.Token));
            background.Add(_statuses.RunAsync(stopInformers.Token));
            if (_bgpStatuses is not null)
            {
                background.Add(_bgpStatuses.RunAsync(stopInformers.Token));
            }
            background.Add(_events.RunAsync(stopInformers.Token));
            // The endpoint stays on the ConfigurationState for people and tools that read it there; the
            // speakers find each other by their Leases, written from the first evaluation on.
            _stateReporter.SetAnnotation(SpeakerDirectory.EndpointAnnotation, endpoint.ToString());
            _stateReporter.SetOwner(owner);
            _stateReporter.Publish();
            background.Add(_stateReporter.RunAsync(stopInformers.Token));
            _leaseRenewer.Owner = owner;
            background.Add(_leaseRenewer.RunAsync(stopInformers.Token));
            await EvaluateLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Withdraw first, then say goodbye: the peers take the addresses over as soon as it arrives, and
            // this node must not still be answering for them by then.
            _publish(AnnounceTable.Empty);
            ClearEgressState(stopping: true);
            await stopMembership.CancelAsync().ConfigureAwait(false);
            await stopInformers.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Concat(background).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            transport?.Dispose();
        }
    }

    private ISpeakerMembership CreateMembership(MembershipKey key, UdpMembershipTransport transport) => _options.MembershipProtocol switch
    {
        MembershipProtocolKind.Mesh => new MeshMembership(_options.Node, _options.Membership, key, transport, _time, _loggerFactory.CreateLogger<MeshMembership>(), MembershipCounters),
        _ => new RingMembershipLoop(_options.Node, _options.Ring, key, transport, _time, _loggerFactory.CreateLogger<RingMembershipLoop>(), MembershipCounters, apiTiming: new ApiModeTiming(_options.LeaseRenewInterval)),
    };

    /// <summary>Asks for an evaluation; coalesced with any pending one.</summary>
    public void Poke(string trigger) => _pokes.Writer.TryWrite(trigger);

    public void Dispose()
    {
        _pokes.Writer.TryComplete();
        _conflictTimer?.Dispose();
        _statuses.Dispose();
        _stateReporter.Dispose();
    }

    private void ConfigChanged(string trigger)
    {
        Interlocked.Exchange(ref _configDirty, 1);
        Poke(trigger);
    }

    private async Task EvaluateLoopAsync(CancellationToken cancellationToken)
    {
        using var resync = _time.CreateTimer(_ => Poke("resync"), null, _options.ResyncInterval, _options.ResyncInterval);
        using var discovered = _time.CreateTimer(_ => Poke("discovery"), null, DiscoveryWait, Timeout.InfiniteTimeSpan);
        Poke("start");
        try
        {
            while (true)
            {
                var trigger = await _pokes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    Evaluate(trigger);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Whatever the cause (a bug, one poison object), it must not stop the speaker: every speaker
                    // sees the same objects, so one escaping exception would crash-loop them all. The last table
                    // stays, the failure is counted, and the next change or resync tries again.
                    Interlocked.Increment(ref _evaluationFailures);
                    LogEvaluationFailed(_logger, e, trigger);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private void Evaluate(string trigger)
    {
        UpdateMembershipInputs();
        PublishReplies();
        var configDirty = Interlocked.Exchange(ref _configDirty, 0) == 1;
        var cluster = ClusterIngest.Input(
            _options.Namespace, _services.Items, _pools.Items, _advertisements.Items, _namespaces.Items, _nodes.Items, _slices.Items, _readsServiceCidrs ? _serviceCidrs.Items : null,
            _bgpPeers?.Items, _bgpAdvertisements?.Items, _communities?.Items);
        if (configDirty)
        {
            ParseConfig(cluster.Resources);
        }

        UpdateEligibility();
        NoteAssignments(cluster);
        if (_config is not { } config)
        {
            // MetalLB announces nothing before its first valid configuration; the membership leaves this
            // node out of every speaker's election meanwhile, so its share is answered by the others.
            _ready = true;
            Interlocked.Increment(ref _evaluations);
            return;
        }

        // Answers stop the moment the membership fences this node (the answer deadline, in the kernel too). Only a
        // fence that lasts withdraws the table and the status as well: a blip must not churn either.
        var speakers = _membership is { Withdrawn: true } ? View.Live.Remove(_options.Node) : View.Live;
        var plan = SpeakerPlanner.Decide(config, cluster, _options.LoadBalancerClass, _options.Node, [.. speakers], _options.IgnoreExcludeLabel, _localInterfaces());
        plan = GuardConflicts(plan);
        _publish(plan.Table);
        PublishBgp(plan);
        UpdateEgress(plan, cluster);
        _current = plan;
        Report(plan, trigger);
        _ready = true;
        Interlocked.Increment(ref _evaluations);
    }

    private void ParseConfig(ClusterResources resources)
    {
        var parsed = ConfigParser.Parse(resources);
        var errors = parsed.Errors.Select(e => e.ToString()).ToList();
        if (!errors.SequenceEqual(_configErrors))
        {
            foreach (var error in errors)
            {
                LogConfigRejected(_logger, _config?.Pools.Length ?? 0, error);
            }

            _configErrors = errors;
        }

        // Warnings (an advertisement naming a missing pool, a BGPPeer IronLB cannot run) do not stop the configuration
        // loading, as in MetalLB; they are logged once per change, as the manifest speaker and plan report them, and
        // shown in ConfigurationState's condition.
        var warnings = parsed.Warnings.Select(e => e.ToString()).ToList();

        // Every parse, the first one included: the reporter writes only what differs from the object.
        _stateReporter.Report(errors, warnings);
        if (!warnings.SequenceEqual(_configWarnings))
        {
            foreach (var warning in warnings)
            {
                Log.ConfigWarning(_logger, warning);
            }

            _configWarnings = warnings;
        }

        if (parsed.Config is not null)
        {
            _config = parsed.Config;
        }
    }

    /// <summary>Peers from the speakers' Leases (kept while their Nodes exist), readiness from the Nodes; applied only when changed.</summary>
    private void UpdateMembershipInputs()
    {
        if (_membership is null)
        {
            return;
        }

        var peers = SpeakerDirectory.Peers(_leases.Items, _nodes.Items, _options.Node, _peers);
        if (!SpeakerDirectory.SamePeers(peers, _peers))
        {
            _peers = peers;
            if (_logger.IsEnabled(LogLevel.Information))
            {
                var known = string.Join(' ', peers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
                LogPeers(_logger, known);
            }

            _membership.SetPeers(peers);
        }

        var ready = SpeakerDirectory.ReadyNodes(_nodes.Items);
        if (_readyNodes is null || !ready.SequenceEqual(_readyNodes))
        {
            _readyNodes = ready;
            _membership.SetReadyNodes(ready);
        }
    }

    private async Task<V1OwnerReference?> ResolveOwnerAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.PodName))
        {
            return null;
        }

        try
        {
            var pod = await _pods.GetAsync(_options.Namespace, _options.PodName, cancellationToken).ConfigureAwait(false)
                ?? throw new KubeApiException(System.Net.HttpStatusCode.NotFound, "NotFound", $"pod {_options.PodName} not found");
            return new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = _options.PodName, Uid = pod.Metadata.Uid };
        }
        catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
        {
            // Without an owner the objects outlive the pod until another speaker or this node cleans them.
            LogOwnerUnknown(_logger, e, _options.PodName);
            return null;
        }
    }

    /// <summary>Checked at every evaluation (the resync timer included), so a responder that moves to or from the kernel shows up.</summary>
    private void PublishReplies()
    {
        if (Replies?.Invoke() is { } replies)
        {
            _stateReporter.SetAnnotation(IronLbAnnotations.Layer2Replies, replies);
        }
    }
}
