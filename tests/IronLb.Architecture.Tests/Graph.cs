using System.Collections.Immutable;

namespace IronLb.Architecture.Tests;

internal static class Graph
{
    /// <summary>Every project <paramref name="from"/> reaches through project references (itself only through a cycle).</summary>
    public static ImmutableSortedSet<string> Reachable(IReadOnlyDictionary<string, ProjectFile> projects, string from)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(projects[from].Projects);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && projects.TryGetValue(next, out var project))
            {
                foreach (var reference in project.Projects)
                {
                    pending.Push(reference);
                }
            }
        }

        return [.. seen];
    }
}
