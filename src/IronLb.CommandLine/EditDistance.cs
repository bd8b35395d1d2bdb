namespace IronLb.CommandLine;

/// <summary>
/// How far apart two words are in typing mistakes: insertions, deletions, substitutions and swaps of two
/// neighbouring letters each count one (optimal string alignment), so "--outptu" is one from "--output".
/// </summary>
public static class EditDistance
{
    public static int Between(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The candidate nearest to <paramref name="word"/> when it is near enough to be a typo (two edits, three
    /// for long names, and fewer than half the letters after the dashes, so "-x" is not taken for "-o"), else
    /// null. Of equally near ones the one as long as the word wins ("--nodse" is "--nodes" with two letters
    /// swapped, rather than "--node" with one added), then ordinal order, so the answer never varies.
    /// </summary>
    public static string? Closest(string word, IEnumerable<string> candidates) =>
        candidates
            .Select(c => (Candidate: c, Distance: Between(word, c)))
            .Where(c => c.Distance <= (c.Candidate.Length >= 12 ? 3 : 2) && c.Distance * 2 < c.Candidate.TrimStart('-').Length)
            .OrderBy(c => c.Distance)
            .ThenBy(c => Math.Abs(c.Candidate.Length - word.Length))
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Select(c => c.Candidate)
            .FirstOrDefault();
}
