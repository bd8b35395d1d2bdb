namespace IronLb.Architecture.Tests;

/// <summary>
/// Pins what every src/ project references, so an edge cannot appear as a side effect of a build fix.
/// </summary>
public sealed class ReferenceGraphTests
{
    private const string UpdateHint =
        "If the change is intended, update the table in tests/IronLb.Architecture.Tests/ExpectedReferences.cs " +
        "and the map in docs/architecture.md together, on purpose.";

    [Fact]
    public void Every_src_project_references_exactly_what_the_table_says()
    {
        var actual = ProjectFile.All();
        var expected = ExpectedReferences.Table;
        var problems = new List<string>();

        foreach (var name in actual.Keys.Except(expected.Keys))
        {
            problems.Add($"{name}: a new project under src/ that the table does not know.");
        }

        foreach (var name in expected.Keys.Except(actual.Keys))
        {
            problems.Add($"{name}: in the table but no longer under src/.");
        }

        foreach (var name in actual.Keys.Intersect(expected.Keys))
        {
            Compare(problems, name, "project reference", expected[name].Projects, actual[name].Projects);
            Compare(problems, name, "package reference", expected[name].Packages, actual[name].Packages);
            Compare(problems, name, "framework reference", expected[name].Frameworks, actual[name].Frameworks);
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, [.. problems, UpdateHint]));
    }

    [Fact]
    public void The_graph_has_no_cycle()
    {
        var projects = ProjectFile.All();
        foreach (var name in projects.Keys)
        {
            Assert.DoesNotContain(name, Graph.Reachable(projects, name));
        }
    }

    private static void Compare(List<string> problems, string project, string kind, IEnumerable<string> expected, IEnumerable<string> actual)
    {
        foreach (var added in actual.Except(expected, StringComparer.Ordinal))
        {
            problems.Add($"{project}: new {kind} to {added}.");
        }

        foreach (var removed in expected.Except(actual, StringComparer.Ordinal))
        {
            problems.Add($"{project}: the {kind} to {removed} is gone.");
        }
    }
}
