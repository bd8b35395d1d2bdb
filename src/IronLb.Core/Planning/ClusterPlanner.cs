namespace IronLb.Core.Planning;

/// <summary>Whole-cluster replay over Core: what `ironlb plan` and `ironlb suggest` print.</summary>
public static class ClusterPlanner
{
    public static PlanResult Plan(PlanInput input) => throw new NotImplementedException();

    public static SuggestResult Suggest(PlanInput input, string pool, SuggestFamily family, Random random) =>
        throw new NotImplementedException();
}
