using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IronLb.Kubernetes.Status;

/// <summary>
/// One BGP session as its speaker reports it on its ConfigurationState (annotation
/// <see cref="Crds.IronLbAnnotations.BgpSessions"/>) and as `ironlb status` prints it.
/// </summary>
/// <param name="Peer">The BGPPeer's name.</param>
/// <param name="Address">The peer's "address:port" (IPv6 in brackets).</param>
/// <param name="State"><see cref="BgpSessionReports.Established"/> or <see cref="BgpSessionReports.Connecting"/>.</param>
/// <param name="Since">When the session last came up or went down (wall clock, for people).</param>
/// <param name="Advertised">Prefixes the peer has from this node.</param>
/// <param name="Desired">Prefixes this node wants the peer to have; more than <paramref name="Advertised"/> while
/// Established means the session cannot carry some (a family it did not negotiate).</param>
/// <param name="LastError">Why it is not up: a dial error, a NOTIFICATION, how the connection ended; null while up.</param>
public sealed record BgpSessionReport(string Peer, string Address, string State, DateTimeOffset? Since, int Advertised, int Desired, string? LastError);

/// <summary>
/// The annotation's JSON: an array of sessions. A speaker in BGP mode always writes it, "[]" when no peer selects
/// its node; a speaker without BGP (or a MetalLB speaker) has none. Reading is total: text that is not the
/// expected shape gives an error naming the annotation rather than an exception.
/// </summary>
public static class BgpSessionReports
{
    /// <summary>The session is up.</summary>
    public const string Established = "Established";

    /// <summary>
    /// Not up, and trying: BGP's Idle (between attempts), Connect, Active, OpenSent and OpenConfirm. One word for all
    /// of them, so a session retrying against a router that is down does not rewrite the annotation at every attempt.
    /// </summary>
    public const string Connecting = "Connecting";

    public static string Format(IEnumerable<BgpSessionReport> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var session in sessions)
            {
                json.WriteStartObject();
                json.WriteString("peer", session.Peer);
                json.WriteString("address", session.Address);
                json.WriteString("state", session.State);
                if (session.Since is { } since)
                {
                    json.WriteString("since", since.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                json.WriteNumber("advertised", session.Advertised);
                json.WriteNumber("desired", session.Desired);
                if (session.LastError is { } error)
                {
                    json.WriteString("lastError", error);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The sessions, or an error saying what is wrong with the text; never throws.</summary>
    public static (ImmutableArray<BgpSessionReport> Sessions, string? Error) Parse(string annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        try
        {
            using var document = JsonDocument.Parse(annotation);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ([], $"{Crds.IronLbAnnotations.BgpSessions}: expected a JSON array, got {document.RootElement.ValueKind}");
            }

            var sessions = ImmutableArray.CreateBuilder<BgpSessionReport>();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (Read(item) is not { } session)
                {
                    return ([], $"{Crds.IronLbAnnotations.BgpSessions}: entry {index} needs string peer, address and state and whole-number advertised and desired");
                }

                sessions.Add(session);
                index++;
            }

            return (sessions.ToImmutable(), null);
        }
        catch (JsonException e)
        {
            return ([], $"{Crds.IronLbAnnotations.BgpSessions}: not JSON ({e.Message})");
        }
    }

    private static BgpSessionReport? Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || Text(item, "peer") is not { } peer
            || Text(item, "address") is not { } address
            || Text(item, "state") is not { } state
            || Count(item, "advertised") is not { } advertised
            || Count(item, "desired") is not { } desired)
        {
            return null;
        }

        DateTimeOffset? since = Text(item, "since") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        return new BgpSessionReport(peer, address, state, since, advertised, desired, Text(item, "lastError"));
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Count(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0 ? count : null;
}
