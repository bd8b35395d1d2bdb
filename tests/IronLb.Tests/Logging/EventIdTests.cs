using System.Reflection;
using IronLb.Cli;
using Microsoft.Extensions.Logging;

namespace IronLb.Tests.Logging;

/// <summary>
/// Every [LoggerMessage] that the `ironlb` process can load has its own EventId, so a log pipeline that filters or
/// counts by id never mixes two messages. Each project keeps to its range: Networking 1–99, Speaker 100–199,
/// Kubernetes 200–299, Controller 300–399, the ironlb commands 400–499, KubeSim 500–599, the lab 600–699.
/// </summary>
public sealed class EventIdTests
{
    [Fact]
    public void Every_logger_message_in_the_ironlb_process_has_its_own_event_id()
    {
        var messages = LoggerMessages(OurAssemblies(typeof(IronLbCli).Assembly)).ToList();
        Assert.True(messages.Count > 50, $"found only {messages.Count} [LoggerMessage] methods; is the attribute still kept in metadata?");

        var undeclared = messages.Where(m => m.EventId <= 0).Select(m => m.Name).ToList();
        Assert.True(undeclared.Count == 0, $"[LoggerMessage] without an EventId: {string.Join(", ", undeclared)}");

        var shared = messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}").ToList();
        Assert.True(shared.Count == 0, $"EventIds used more than once in one process (take the next free id in the project's range): {string.Join("; ", shared)}");
    }

    /// <summary>The assembly and every IronLB assembly it references, directly or not.</summary>
    private static IEnumerable<Assembly> OurAssemblies(Assembly root)
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase) { [root.GetName().Name!] = root };
        var pending = new Queue<Assembly>([root]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies().Where(n => n.Name!.StartsWith("IronLb", StringComparison.OrdinalIgnoreCase)))
            {
                if (!seen.ContainsKey(name.Name!))
                {
                    var loaded = Assembly.Load(name);
                    seen[name.Name!] = loaded;
                    pending.Enqueue(loaded);
                }
            }
        }

        return seen.Values;
    }

    private static IEnumerable<(int EventId, string Name)> LoggerMessages(IEnumerable<Assembly> assemblies) =>
        from assembly in assemblies
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (attribute.EventId, $"{assembly.GetName().Name}:{type.Name}.{method.Name}");
}
