// Shared by the test projects that wait on KubeSim and speakers: compiled into each (tests/Shared is not a project).
namespace IronLb.Testing.Kube;

/// <summary>Polls until a condition holds; a generous deadline, never a timed assertion.</summary>
internal static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var last = await probe();
        while (!condition(last))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last value: {Describe(last)}");
            await Task.Delay(50);
            last = await probe();
        }

        return last;
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value?.ToString() ?? "null",
    };
}
