using System.Globalization;

namespace IronLb.Output;

/// <summary>"1 pool", "2 pools": a count with its noun in the right number, for every summary line.</summary>
internal static class Counted
{
    public static string Of(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");
}
