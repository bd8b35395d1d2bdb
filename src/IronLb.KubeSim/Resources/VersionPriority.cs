using System.Text.RegularExpressions;

namespace IronLb.KubeSim.Resources;

/// <summary>Kubernetes version ordering (<c>k8s.io/apimachinery/pkg/version.CompareKubeAwareVersionStrings</c>):
/// GA before beta before alpha, higher numbers first, anything else last alphabetically.</summary>
internal static partial class VersionPriority
{
    public static IComparer<string> Comparer { get; } = Comparer<string>.Create(Compare);

    private static int Compare(string a, string b)
    {
        var ka = Key(a);
        var kb = Key(b);
        var c = kb.Rank.CompareTo(ka.Rank);
        if (c != 0)
        {
            return c;
        }
        c = kb.Major.CompareTo(ka.Major);
        if (c != 0)
        {
            return c;
        }
        c = kb.Minor.CompareTo(ka.Minor);
        return c != 0 ? c : string.CompareOrdinal(a, b);
    }

    private static (int Rank, int Major, int Minor) Key(string v)
    {
        var m = Pattern().Match(v);
        if (!m.Success)
        {
            return (0, 0, 0);
        }
        var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var rank = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        return (rank, major, minor);
    }

    [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
    private static partial Regex Pattern();
}
