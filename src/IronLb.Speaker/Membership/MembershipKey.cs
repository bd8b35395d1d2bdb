using System.Security.Cryptography;

namespace IronLb.Speaker.Membership;

/// <summary>
/// The shared HMAC-SHA256 key, or the explicit decision to run without one. There is no "no key" default:
/// a speaker that accepted unauthenticated heartbeats could be told by anyone on the LAN that its peers are
/// dead and take every address.
/// </summary>
internal sealed class MembershipKey
{
    public const int MacLength = 32;
    public const int MinimumKeyLength = 16;

    /// <summary>Membership v2 sends the first 16 bytes of the HMAC (RFC 2104 truncation): 128 bits resist forgery and save 16 bytes a heartbeat.</summary>
    public const int TruncatedMacLength = 16;

    private readonly byte[]? _key;

    private MembershipKey(byte[]? key) => _key = key;

    /// <summary>Insecure mode: sends an all-zero MAC and accepts any MAC.</summary>
    public static MembershipKey Insecure { get; } = new(null);

    public bool IsInsecure => _key is null;

    /// <summary>The key from the Secret, or insecure mode only when asked for; otherwise the speaker refuses to start.</summary>
    public static MembershipKey Create(byte[]? key, bool insecure)
    {
        if (key is null || key.Length == 0)
        {
            return insecure
                ? Insecure
                : throw new InvalidOperationException("membership key missing: provide the shared secret or choose --insecure-membership explicitly");
        }

        if (key.Length < MinimumKeyLength)
        {
            throw new InvalidOperationException($"membership key too short: {key.Length} bytes, at least {MinimumKeyLength} needed");
        }

        return new MembershipKey([.. key]);
    }

    public void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        if (_key is null)
        {
            mac[..MacLength].Clear();
            return;
        }

        HMACSHA256.HashData(_key, data, mac);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        if (_key is null)
        {
            return true;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(_key, data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    /// <summary>The first <see cref="TruncatedMacLength"/> bytes of the HMAC into <paramref name="mac"/>; zeros in insecure mode.</summary>
    public void SignTruncated(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[MacLength];
        Sign(data, full);
        full[..TruncatedMacLength].CopyTo(mac);
    }

    /// <summary>Constant-time check of a truncated MAC; insecure mode accepts anything, like <see cref="Verify"/>.</summary>
    public bool VerifyTruncated(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        if (_key is null)
        {
            return true;
        }

        if (mac.Length != TruncatedMacLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(_key, data, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..TruncatedMacLength], mac);
    }
}
