using System.Collections.Immutable;
using IronLb.Kubernetes.Client;
using IronLb.Kubernetes.Crds;
using IronLb.Kubernetes.Informers;
using IronLb.Kubernetes.Queues;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace IronLb.Kubernetes.Status;

/// <summary>Whose ConfigurationState a reporter writes (MetalLB 0.15.3, §1.6).</summary>
/// <param name="Namespace">MetalLB's namespace.</param>
/// <param name="Name">"controller", or "speaker-&lt;node&gt;".</param>
/// <param name="ConditionType">poolReconcilerValid for the controller, configReconcilerValid for a speaker.</param>
/// <param name="Labels">component-type, and node-name for a speaker.</param>
public sealed record ConfigurationStateIdentity(string Namespace, string Name, string ConditionType, ImmutableDictionary<string, string> Labels)
{
    public static ConfigurationStateIdentity Controller(string ns) =>
        new(ns, "controller", "poolReconcilerValid", ImmutableDictionary<string, string>.Empty.Add(MetalLbLabels.ComponentType, "controller"));

    public static ConfigurationStateIdentity Speaker(string ns, string node) =>
        new(ns, "speaker-" + node, "configReconcilerValid", ImmutableDictionary<string, string>.Empty
            .Add(MetalLbLabels.ComponentType, "speaker")
            .Add(MetalLbLabels.NodeName, node));
}

/// <summary>
/// One component's ConfigurationState, for the controller and every speaker alike: result Valid or Invalid
/// with the error summary and the component's condition, plus the annotations and owner the component
/// publishes (a speaker's membership endpoint and reply paths). Callers only say what should be there, never
/// wait: the writes happen on this reporter's own loop, one at a time, only for what differs from what is
/// there, and a failed write is logged, counted and retried with back-off until it goes through.
/// </summary>
public sealed partial class ConfigurationStateReporter : IDisposable
{
    private const string Key = "state";

    private readonly ResourceClient<ConfigurationStateObject> _states;
    private readonly ConfigurationStateIdentity _identity;
    private readonly TimeProvider _time;
    private readonly WriteCounter _writes;
    private readonly ILogger _logger;
    private readonly WorkQueue<string> _queue;
    private readonly object _gate = new();
    private Wanted _wanted = new(false, ImmutableDictionary<string, string>.Empty, null, null, "");

    // What the object holds as far as this reporter knows; null until read, and again after it vanished.
    private Observed? _observed;

    /// <param name="connection">The API server.</param>
    /// <param name="identity">Which object.</param>
    /// <param name="time">Timestamps and back-off.</param>
    /// <param name="writes">Counts every write and failure.</param>
    /// <param name="logger">Logs failures.</param>
    public ConfigurationStateReporter(KubeConnection connection, ConfigurationStateIdentity identity, TimeProvider time, WriteCounter writes, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _states = new ResourceClient<ConfigurationStateObject>(connection, ResourceTypes.ConfigurationStates(identity.Namespace));
        _identity = identity;
        _time = time;
        _writes = writes;
        _logger = logger;
        _queue = new WorkQueue<string>(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// From now on the object exists: created when missing, its labels, annotations and owner kept. Until then
    /// nothing is written, so a speaker never publishes itself before it knows where it listens.
    /// </summary>
    public void Publish() => Change(w => w with { Published = true });

    /// <summary>Sets one annotation; written with the object's metadata.</summary>
    public void SetAnnotation(string key, string value) => Change(w => w with { Annotations = w.Annotations.SetItem(key, value) });

    /// <summary>The owner (the speaker Pod), so the object goes with it.</summary>
    public void SetOwner(V1OwnerReference? owner) => Change(w => w with { Owner = owner });

    /// <summary>Whether the component's configuration is valid: none for Valid, else each error.</summary>
    public void Report(IReadOnlyList<string> errors) => Report(errors, []);

    /// <summary>
    /// As <see cref="Report(IReadOnlyList{string})"/>, with the configuration's warnings (a BGPPeer dropped because it
    /// uses vrf, an advertisement naming a missing pool). They do not make the result Invalid, since the configuration
    /// loads; they go in the condition's message, so <c>kubectl get configurationstates -o yaml</c> shows why a peer
    /// opens no session. The errorSummary stays MetalLB's: errors only.
    /// </summary>
    public void Report(IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        Change(w => w with { Errors = string.Join('\n', errors), Warnings = string.Join('\n', warnings) });
    }

    /// <summary>Writes until cancelled; returns normally then.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var key = await _queue.GetAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await ReconcileAsync(cancellationToken).ConfigureAwait(false);
                    _queue.Forget(key);
                }
                catch (Exception e) when (ApiFailure.Is(e, cancellationToken))
                {
                    _writes.Record(failed: true);
                    LogWriteFailed(_logger, ApiFailure.StackWorthy(e), _identity.Name, ApiFailure.Describe(e));
                    _queue.AddRateLimited(key);
                }
                finally
                {
                    _queue.Done(key);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _queue.Dispose();

    private void Change(Func<Wanted, Wanted> change)
    {
        lock (_gate)
        {
            var next = change(_wanted);
            if (next == _wanted)
            {
                return;
            }

            _wanted = next;
        }

        _queue.Add(Key);
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        Wanted wanted;
        lock (_gate)
        {
            wanted = _wanted;
        }

        if (!wanted.Published)
        {
            return;
        }

        try
        {
            var observed = _observed ??= await ReadOrCreateAsync(wanted, cancellationToken).ConfigureAwait(false);
            var annotationsMatch = wanted.Annotations.All(kv => observed.Annotations.TryGetValue(kv.Key, out var v) && v == kv.Value);
            var ownerMatches = wanted.Owner is null || observed.OwnerUid == wanted.Owner.Uid;
            if (!observed.LabelsMatch || !annotationsMatch || !ownerMatches)
            {
                var changes = new ConfigurationStateObject
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = _identity.Labels.ToDictionary(),
                        Annotations = wanted.Annotations.ToDictionary(),
                        OwnerReferences = wanted.Owner is { } owner ? [owner] : null,
                    },
                };
                await _states.PatchMetadataAsync(_identity.Namespace, _identity.Name, changes, cancellationToken).ConfigureAwait(false);
                _writes.Record(failed: false);
                _observed = observed = observed with
                {
                    LabelsMatch = true,
                    Annotations = observed.Annotations.SetItems(wanted.Annotations),
                    OwnerUid = wanted.Owner?.Uid ?? observed.OwnerUid,
                };
            }

            if (wanted.Errors is { } errors && (observed.Errors != errors || observed.Message != MessageFor(errors, wanted.Warnings)))
            {
                var changes = new ConfigurationStateObject { Status = StatusFor(errors, wanted.Warnings) };
                await _states.PatchStatusAsync(_identity.Namespace, _identity.Name, changes, cancellationToken).ConfigureAwait(false);
                _writes.Record(failed: false);
                _observed = observed with { Errors = errors, Message = MessageFor(errors, wanted.Warnings) };
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Deleted behind our back: the retry reads again and re-creates it.
            _observed = null;
            throw;
        }
    }

    /// <summary>The object as it is, created first when missing; a restarted component whose predecessor's report still holds writes nothing more.</summary>
    private async Task<Observed> ReadOrCreateAsync(Wanted wanted, CancellationToken cancellationToken)
    {
        var current = await _states.GetAsync(_identity.Namespace, _identity.Name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            current = await _states.CreateAsync(
                new ConfigurationStateObject
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = _identity.Name,
                        NamespaceProperty = _identity.Namespace,
                        Labels = _identity.Labels.ToDictionary(),
                        Annotations = wanted.Annotations.IsEmpty ? null : wanted.Annotations.ToDictionary(),
                        OwnerReferences = wanted.Owner is { } owner ? [owner] : null,
                    },
                },
                cancellationToken).ConfigureAwait(false);
            _writes.Record(failed: false);
        }

        var meta = current.Metadata;
        return new Observed(
            _identity.Labels.All(kv => meta.Labels is not null && meta.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value),
            meta.Annotations?.ToImmutableDictionary(StringComparer.Ordinal) ?? ImmutableDictionary<string, string>.Empty,
            meta.OwnerReferences?.FirstOrDefault()?.Uid,
            current.Status?.Result is null ? null : current.Status.ErrorSummary ?? "",
            current.Status?.Conditions?.FirstOrDefault(c => c.Type == _identity.ConditionType)?.Message ?? "");
    }

    /// <summary>The condition's message: the errors when invalid, else the warnings (none: empty, as MetalLB writes it).</summary>
    private static string MessageFor(string errors, string warnings) =>
        errors.Length > 0 ? errors : warnings.Length == 0 ? "" : "valid, with warnings:\n" + warnings;

    private ConfigurationStateStatus StatusFor(string errors, string warnings)
    {
        var valid = errors.Length == 0;
        return new ConfigurationStateStatus
        {
            Result = valid ? "Valid" : "Invalid",
            ErrorSummary = errors,
            Conditions =
            [
                new V1Condition
                {
                    Type = _identity.ConditionType,
                    Status = valid ? "True" : "False",
                    Reason = valid ? "Reconciled" : "ConfigurationError",
                    Message = MessageFor(errors, warnings),
                    LastTransitionTime = _time.GetUtcNow().UtcDateTime,
                },
            ],
        };
    }

    /// <summary>What the component wants on its object; Errors is null until it first reports.</summary>
    private sealed record Wanted(bool Published, ImmutableDictionary<string, string> Annotations, V1OwnerReference? Owner, string? Errors, string Warnings);

    /// <summary>What the object holds; Errors is null while it has no result; Message is its condition's.</summary>
    private sealed record Observed(bool LabelsMatch, ImmutableDictionary<string, string> Annotations, string? OwnerUid, string? Errors, string Message);

    [LoggerMessage(EventId = 242, Level = LogLevel.Warning, Message = "ConfigurationState {name} not written ({error}); retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception? exception, string name, string error);
}
