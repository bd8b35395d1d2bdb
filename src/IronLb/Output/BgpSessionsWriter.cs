using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using IronLb.Kubernetes.Status;

namespace IronLb.Output;

/// <summary>
/// `ironlb status`'s BGP sessions: every speaker's sessions as it reports them on its ConfigurationState, one row per
/// node and peer with the state, since when, and the prefixes the peer has against those it should have. Written only
/// when some speaker has a session, so a Layer 2 cluster's status reads as before (MetalLB's CRDs include BGPPeer, so
/// speakers there run BGP mode with no sessions).
/// </summary>
internal static class BgpSessionsWriter
{
    /// <summary>Whether any speaker reports a BGP session, or a report that cannot be read.</summary>
    public static bool AnyBgp(ImmutableArray<SpeakerStatus> speakers) =>
        speakers.Any(s => s.BgpSessions is not null && BgpSessionReports.Parse(s.BgpSessions) is var r && (r.Error is not null || !r.Sessions.IsEmpty));

    /// <summary>Every reported session is up and every report readable; `ironlb status` exits 1 otherwise.</summary>
    public static bool AllEstablished(ImmutableArray<SpeakerStatus> speakers) =>
        speakers.Where(s => s.BgpSessions is not null)
            .Select(s => BgpSessionReports.Parse(s.BgpSessions!))
            .All(r => r.Error is null && r.Sessions.All(s => s.State == BgpSessionReports.Established));

    public static void WriteTable(ImmutableArray<SpeakerStatus> speakers, TextWriter writer)
    {
        if (!AnyBgp(speakers))
        {
            return;
        }

        writer.WriteLine("BGP SESSIONS");
        var table = new TextTable("NODE", "PEER", "ADDRESS", "STATE", "SINCE", "PREFIXES", "LAST ERROR");
        foreach (var speaker in speakers.Where(s => s.BgpSessions is not null))
        {
            var (sessions, error) = BgpSessionReports.Parse(speaker.BgpSessions!);
            if (error is not null)
            {
                table.Add(speaker.Node, "?", "-", "-", "-", "-", error);
            }

            foreach (var session in sessions)
            {
                table.Add(
                    speaker.Node,
                    session.Peer,
                    session.Address,
                    session.State,
                    session.Since is { } since ? since.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-",
                    // Sent of wanted: "3/3"; "0/3" while down, "2/3" when the session cannot carry one of them.
                    string.Create(CultureInfo.InvariantCulture, $"{session.Advertised}/{session.Desired}"),
                    session.LastError ?? "-");
            }
        }

        table.Write(writer);
    }

    /// <summary>A speaker's "bgpSessions" in JSON: its sessions, or null without BGP; an unreadable report adds "bgpSessionsError".</summary>
    public static void WriteJson(Utf8JsonWriter json, SpeakerStatus speaker)
    {
        if (speaker.BgpSessions is null)
        {
            json.WriteNull("bgpSessions");
            return;
        }

        var (sessions, error) = BgpSessionReports.Parse(speaker.BgpSessions);
        json.WriteStartArray("bgpSessions");
        foreach (var session in sessions)
        {
            json.WriteStartObject();
            json.WriteString("peer", session.Peer);
            json.WriteString("address", session.Address);
            json.WriteString("state", session.State);
            if (session.Since is { } since)
            {
                json.WriteString("since", since.ToUniversalTime());
            }
            else
            {
                json.WriteNull("since");
            }

            json.WriteNumber("advertisedPrefixes", session.Advertised);
            json.WriteNumber("desiredPrefixes", session.Desired);
            json.WriteString("lastError", session.LastError);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (error is not null)
        {
            json.WriteString("bgpSessionsError", error);
        }
    }
}
