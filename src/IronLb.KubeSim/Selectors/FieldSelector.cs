using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;
using IronLb.KubeSim.Resources;

namespace IronLb.KubeSim.Selectors;

/// <summary>A parsed <c>fieldSelector</c> (<c>=</c>, <c>==</c>, <c>!=</c>, comma = and). Only the field labels a kind
/// supports upstream are accepted; anything else is the 400 kube-apiserver gives.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(List<(string, bool, string)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The <c>metadata.name</c> this selector pins, if any (kubectl wait/delete use it).</summary>
    public string? PinnedName => _terms.Where(t => t.Equal && t.Field == "metadata.name").Select(t => t.Value).FirstOrDefault();

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = FieldValue(obj, field);
            if ((actual == value) != equal)
            {
                return false;
            }
        }
        return true;
    }

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (field, equal, value) = Split(raw) ?? throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{raw}'");
            if (!Supported(type, field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }
            terms.Add((field, equal, value));
        }
        return new FieldSelector(terms);
    }

    private static (string, bool, string)? Split(string term)
    {
        foreach (var (token, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return (term[..at].Trim(), equal, term[(at + token.Length)..].Trim());
            }
        }
        return null;
    }

    private static readonly string[] EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    private static readonly string[] EventsV1Fields =
    [
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
        "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type",
    ];

    private static readonly string[] PodFields =
    [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    private static bool Supported(ResourceType type, string field)
    {
        if (field is "metadata.name" or "metadata.namespace")
        {
            return true;
        }
        return type switch
        {
            { IsEventsV1: true } => EventsV1Fields.Contains(field),
            { Behaviour: KindBehaviour.Event } => EventFields.Contains(field),
            { Behaviour: KindBehaviour.Pod } => PodFields.Contains(field),
            { Behaviour: KindBehaviour.Node } => field == "spec.unschedulable",
            { Behaviour: KindBehaviour.Namespace } => field == "status.phase",
            { Behaviour: KindBehaviour.Service } => field is "spec.clusterIP" or "spec.type",
            { Kind: "Secret", Group: "" } => field == "type",
            { Behaviour: KindBehaviour.CustomResource } => type.SelectableFields.Contains(field),
            _ => false,
        };
    }

    /// <summary>Field values as upstream's field-label functions render them (booleans as <c>true</c>/<c>false</c>,
    /// a missing field as the empty string; <c>source</c> of an event is its component).</summary>
    private static string FieldValue(JsonObject obj, string field)
    {
        if (field == "source")
        {
            return JsonText.Str(obj, "source", "component") ?? JsonText.Str(obj, "reportingComponent") ?? "";
        }
        var node = JsonText.At(obj, field.Split('.'));
        return node switch
        {
            null => field == "spec.unschedulable" || field == "spec.hostNetwork" ? "false" : "",
            _ => JsonText.Cell(node),
        };
    }
}
