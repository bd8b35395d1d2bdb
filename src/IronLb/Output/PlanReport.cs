using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Planning;
using IronLb.Manifests;

namespace IronLb.Output;

/// <summary>
/// What plan prints: Core's result plus the objects the reader refused as one error list, Core's
/// configuration warnings, and every Warning event. Each finding points at the line of the offending field
/// when the reader knows it, else at the object's first line.
/// </summary>
internal sealed record PlanReport(
    ManifestReadResult Read,
    PlanResult Result,
    ImmutableArray<PlanError> Errors,
    ImmutableArray<PlanError> ConfigWarnings)
{
    public const string Warning = "Warning";

    /// <summary>`plan --probe`: who on the LAN already uses the planned addresses; null without --probe.</summary>
    public ProbeReport? Probe { get; init; }

    public static PlanReport Create(ManifestReadResult read, PlanResult result)
    {
        // Reader errors first: they explain why an object is missing from Core's view.
        var errors = read.Errors
            .Select(e => new PlanError(e.Location, e.ObjectName ?? "", e.Message))
            .Concat(result.Errors.Select(e => Located(read, e)))
            .ToImmutableArray();
        return new PlanReport(read, result, errors, [.. result.Warnings.Select(e => Located(read, e))]);
    }

    /// <summary>Every Warning event with the line that asked for it (or the file that defines its Service), so a GitOps user knows what to edit.</summary>
    public IEnumerable<(string? Location, string Service, PlannedEvent Event)> ServiceWarnings =>
        from service in Result.Services
        from e in service.Events
        where e.Type == Warning
        let key = new ServiceKey(service.Namespace, service.Name)
        select (Read.Locate(Read.ServiceSources.GetValueOrDefault(key), e.Field), key.ToString(), e);

    /// <summary>
    /// Exit 1 material: configuration errors and Warning events (a Service would not get what it asks for).
    /// Configuration warnings are not: MetalLB loads such a configuration, so plan passes it too.
    /// </summary>
    public bool HasFindings =>
        !Errors.IsEmpty || Result.Services.Any(s => s.Events.Any(e => e.Type == Warning));

    private static PlanError Located(ManifestReadResult read, PlanError error) =>
        error with { File = read.Locate(error.File, error.Field) };
}
