using IronLb.Core.Planning;
using IronLb.Manifests;

namespace IronLb.Fuzz.Exercises;

/// <summary>
/// The manifest reader on one file's bytes (YAML or JSON by the file name), then Core's planner on what it read:
/// everything `ironlb plan` runs but the printing. Run by the manifest fuzz targets and ManifestFuzzReplayTests alike
/// (this file is compiled into both).
/// </summary>
internal static class ManifestExercise
{
    /// <summary>Null when the reader answered properly; otherwise the broken contract. Exceptions escape.</summary>
    public static string? Problem(string file, byte[] bytes)
    {
        var result = ManifestReader.ReadBytes(file, bytes);
        foreach (var error in result.FatalErrors.Concat(result.Errors))
        {
            if (!string.Equals(error.File, file, StringComparison.Ordinal))
            {
                return $"an error names another file: {error}";
            }

            // The reader's last-resort catch turns its own bugs into this error; they are failures all the same.
            if (error.Message.StartsWith(ManifestReader.InternalErrorPrefix, StringComparison.Ordinal))
            {
                return error.ToString();
            }
        }

        if (result.FatalErrors.IsEmpty)
        {
            _ = ClusterPlanner.Plan(result.Input);
        }

        return null;
    }
}
