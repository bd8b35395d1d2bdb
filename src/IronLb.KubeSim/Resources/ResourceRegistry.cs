using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace IronLb.KubeSim.Resources;

/// <summary>The servable resources: built-ins plus every version of every established CRD. Readers take an
/// immutable snapshot without locking; CRD writes (always under the store lock) swap a new one in.</summary>
internal sealed class ResourceRegistry
{
    private volatile Snapshot _snapshot;
    private readonly Dictionary<string, ImmutableArray<ResourceType>> _crdTypes = new(StringComparer.Ordinal);

    public ResourceRegistry()
    {
        _snapshot = new Snapshot(BuiltinResources.All);
    }

    public ImmutableArray<ResourceType> All => _snapshot.Types;

    /// <summary>Changes whenever the set of servable resources changes, so OpenAPI hashes and discovery stay honest.</summary>
    public int Generation => _snapshot.Generation;

    public ResourceType? Find(string group, string version, string plural) =>
        _snapshot.ByPath.GetValueOrDefault((group, version, plural));

    public ResourceType? FindByKind(string group, string version, string kind) =>
        _snapshot.Types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == kind);

    public bool HasGroupVersion(string group, string version) =>
        _snapshot.Types.Any(t => t.Group == group && t.Version == version);

    /// <summary>Groups in discovery order (built-ins first, then CRD groups by name) with versions preferred-first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var group in _snapshot.Types.Select(t => t.Group).Distinct())
        {
            var versions = _snapshot.Types.Where(t => t.Group == group).Select(t => t.Version).Distinct()
                .Order(VersionPriority.Comparer).ToList();
            result.Add((group, versions));
        }
        return result;
    }

    /// <summary>Registers (or replaces) the served versions of a CRD. Called with the store lock held.</summary>
    public void SetCrd(JsonObject crd)
    {
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        _crdTypes[name] = CrdTranslator.ToResourceTypes(crd);
        Publish();
    }

    public void RemoveCrd(string name)
    {
        if (_crdTypes.Remove(name))
        {
            Publish();
        }
    }

    private void Publish()
    {
        var types = BuiltinResources.All.AddRange(
            _crdTypes.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value));
        _snapshot = new Snapshot(types, _snapshot.Generation + 1);
    }

    private sealed class Snapshot
    {
        public Snapshot(ImmutableArray<ResourceType> types, int generation = 0)
        {
            Types = types;
            Generation = generation;
            var byPath = new Dictionary<(string, string, string), ResourceType>();
            foreach (var type in types)
            {
                byPath.TryAdd((type.Group, type.Version, type.Plural), type);
            }
            ByPath = byPath.ToFrozenDictionary();
        }

        public ImmutableArray<ResourceType> Types { get; }

        public int Generation { get; }

        public FrozenDictionary<(string, string, string), ResourceType> ByPath { get; }
    }
}
