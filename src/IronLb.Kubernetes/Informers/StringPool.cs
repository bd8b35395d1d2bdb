using System.Collections.Concurrent;

namespace IronLb.Kubernetes.Informers;

/// <summary>
/// One shared instance per distinct short string, for the values that repeat across thousands of cached objects
/// ("LoadBalancer", "TCP", a namespace, an annotation key): each parsed object would otherwise hold its own copy.
/// Bounded, so objects with ever-new values cannot grow it without limit: once full, strings pass through unshared.
/// </summary>
internal static class StringPool
{
    private const int MaxEntries = 8_192;
    private const int MaxLength = 64;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    public static string? Shared(string? value)
    {
        if (value is null || value.Length > MaxLength)
        {
            return value;
        }

        if (Pool.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return Pool.Count < MaxEntries ? Pool.GetOrAdd(value, value) : value;
    }

    /// <summary>The same map with shared keys and values; null stays null.</summary>
    public static Dictionary<string, string>? Shared(IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return null;
        }

        var shared = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            shared[Shared(key)!] = Shared(value)!;
        }

        return shared;
    }
}
