using IronLb.KubeSim.Resources;
using IronLb.KubeSim.Selectors;
using IronLb.KubeSim.Tables;

namespace IronLb.KubeSim.Watch;

/// <summary>Everything a watch stream needs to know about its request.</summary>
internal sealed record WatchRequest(
    ResourceType Type,
    string? Namespace,
    LabelSelector Labels,
    FieldSelector Fields,
    string? ResourceVersion,
    bool AllowBookmarks,
    bool SendInitialEvents,
    TimeSpan? Timeout,
    bool AsTable,
    IncludeObject Include);
