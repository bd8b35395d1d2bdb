using System.Globalization;
using System.Text;
using IronLb.KubeSim.Http;

namespace IronLb.KubeSim.Storage;

/// <summary>
/// The opaque <c>continue</c> value of a paged list: the resourceVersion the first page was read at and the key of the
/// last item sent. Clients pass it back unchanged; the server reads it, so it must refuse anything it did not write
/// with a 400, never an exception of its own.
/// </summary>
internal static class ContinueToken
{
    public static string Encode(long resourceVersion, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{resourceVersion.ToString(CultureInfo.InvariantCulture)}\n{lastKey}"));

    public static (long ResourceVersion, string LastKey) Decode(string token)
    {
        var bytes = new byte[(token.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(token, bytes, out var length))
        {
            throw Invalid("it is not base64");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("it is not UTF-8");
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline <= 0 || newline == text.Length - 1
            || !long.TryParse(text.AsSpan(0, newline), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
        {
            throw Invalid("it names no resourceVersion and key");
        }

        return (version, text[(newline + 1)..]);
    }

    private static ApiException Invalid(string why) => ApiException.BadRequest($"continue key is not valid: {why}");
}
