using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Manifests;

namespace IronLb.Output;

/// <summary>What plan prints: Core's result plus the objects the reader refused, as one error list.</summary>
internal sealed record PlanReport(ManifestReadResult Read, PlanResult Result, ImmutableArray<PlanError> Errors)
{
    public const string Warning = "Warning";

    public static PlanReport Create(ManifestReadResult read, PlanResult result)
    {
        // Reader errors first: they explain why an object is missing from Core's view.
        var errors = read.Errors
            .Select(e => new PlanError(e.Location, e.ObjectName ?? "", e.Message))
            .Concat(result.Errors)
            .ToImmutableArray();
        return new PlanReport(read, result, errors);
    }

    /// <summary>Every Warning event with the file that defines its Service, so a GitOps user knows what to edit.</summary>
    public IEnumerable<(string? Location, string Service, PlannedEvent Event)> Warnings =>
        from service in Result.Services
        from e in service.Events
        where e.Type == Warning
        let key = new ServiceKey(service.Namespace, service.Name)
        select (Read.ServiceSources.GetValueOrDefault(key), key.ToString(), e);

    public bool HasFindings =>
        !Errors.IsEmpty || Result.Services.Any(s => s.Events.Any(e => e.Type == Warning));
}
