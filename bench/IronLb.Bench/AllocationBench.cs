namespace IronLb.Bench;

internal static class AllocationBench
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
