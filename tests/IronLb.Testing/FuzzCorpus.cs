namespace IronLb.Testing;

/// <summary>
/// The corpora fuzz/run.sh keeps in fuzz/corpus/TARGET, for the replay tests in each parser's test project,
/// and a cheap mutator so a property test can try inputs near them without AFL++.
/// </summary>
public static class FuzzCorpus
{
    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'[', (byte)'{', (byte)':', (byte)'\n', (byte)'\t', (byte)'*', (byte)'&', (byte)'"', (byte)'-'];

    /// <summary>Every kept input of the target, by file name; empty when the folder is missing.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Inputs(string target)
    {
        var folder = Path.Combine(Repository.Root, "fuzz", "corpus", target);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))]
            : [];
    }

    /// <summary>
    /// A few AFL-style edits of one corpus input chosen by <paramref name="seed"/>: bit flips, interesting bytes,
    /// deletions, duplications and splices with another input. The same seed always gives the same bytes.
    /// </summary>
    public static byte[] Mutate(IReadOnlyList<(string Name, byte[] Bytes)> inputs, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(inputs);
#pragma warning disable CA5394 // Reproducible test data, not security.
        var random = new Random((int)(seed ^ (seed >> 32)));
        var data = new List<byte>(inputs.Count == 0 ? [] : inputs[random.Next(inputs.Count)].Bytes);
        var edits = 1 + random.Next(8);
        for (var i = 0; i < edits; i++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                    break;
                case 3 when data.Count > 0:
                    var length = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(at, length));
                    break;
                case 4 when inputs.Count > 0:
                    var other = inputs[random.Next(inputs.Count)].Bytes;
                    var from = other.Length == 0 ? 0 : random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + random.Next(64)));
                    break;
                default:
                    data.Insert(at, (byte)random.Next(256));
                    break;
            }
        }
#pragma warning restore CA5394

        return [.. data];
    }
}
