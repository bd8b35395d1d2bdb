using System.Text.Json;
using k8s.Models;

namespace IronLb.Kubernetes.Crds;

/// <summary>
/// A ConfigurationState's status as one component reports it (MetalLB 0.15.3, §1.6): result Valid or
/// Invalid, the errors joined by newlines, and the component's one condition (poolReconcilerValid for the
/// controller, configReconcilerValid for a speaker), as a merge patch for the status subresource.
/// </summary>
public static class ConfigurationStatePatch
{
    public static string Status(string conditionType, IReadOnlyList<string> errors, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var valid = errors.Count == 0;
        var summary = string.Join('\n', errors);
        var state = new ConfigurationStateObject
        {
            Status = new ConfigurationStateStatus
            {
                Result = valid ? "Valid" : "Invalid",
                ErrorSummary = summary,
                Conditions =
                [
                    new V1Condition
                    {
                        Type = conditionType,
                        Status = valid ? "True" : "False",
                        Reason = valid ? "Reconciled" : "ConfigurationError",
                        Message = valid ? "" : summary,
                        LastTransitionTime = now,
                    },
                ],
            },
        };
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(state, CrdJsonContext.Default.ConfigurationStateObject));
        return "{\"status\":" + document.RootElement.GetProperty("status").GetRawText() + "}";
    }
}
