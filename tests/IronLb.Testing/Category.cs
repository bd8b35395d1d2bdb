namespace IronLb.Testing;

/// <summary>
/// The test categories: what a slow test class uses, as an xunit trait, <c>[Trait("Category", Category.Network)]</c>.
/// The fast suite leaves every category out (README, .ci/run); .ci/run runs the categories after it.
/// </summary>
public static class Category
{
    /// <summary>Network namespaces, veths and the kernel as the peer.</summary>
    public const string Network = "Network";

    /// <summary>Runs only as root (namespaces, raw sockets, switching user).</summary>
    public const string Root = "Root";

    /// <summary>Runs the real kubectl.</summary>
    public const string Kubectl = "Kubectl";

    /// <summary>Brings up a whole lab with ironlb-lab.</summary>
    public const string Lab = "Lab";

    /// <summary>Runs a Release `dotnet publish` (minutes on two cores).</summary>
    public const string Publish = "Publish";

    /// <summary>Starts other processes or runs long simulations; in-process but too slow for the fast loop.</summary>
    public const string Slow = "Slow";

    /// <summary>Generates many clusters and runs plan, the controller and the speakers' election on each (a minute or two).</summary>
    public const string Differential = "Differential";


    /// <summary>
    /// Fails the running test when its class does not carry <paramref name="category"/>: called by the kit where a
    /// test starts to use root, the network, kubectl or the lab, so a missing trait cannot go unnoticed.
    /// Outside a test (a benchmark, a collection fixture) there is nothing to check.
    /// </summary>
    public static void Require(string category)
    {
        var context = TestContext.Current;
        var traits = context.Test?.Traits ?? context.TestClass?.Traits;
        if (traits is null)
        {
            return;
        }

        if (!traits.TryGetValue("Category", out var values) || !values.Contains(category, StringComparer.Ordinal))
        {
            var where = context.Test?.TestDisplayName ?? context.TestClass?.TestClassName ?? "this test";
            Assert.Fail($"{where} uses {category} but its class lacks [Trait(\"Category\", Category.{category})]: the fast suite would run it");
        }
    }
}
