using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using IronLb.Core.Planning;
using IronLb.Kubernetes.Status;

namespace IronLb.Output;

/// <summary>
/// `plan --output json`, the shape docs/plan.md documents. Written with Utf8JsonWriter rather than a
/// serializer because counts are BigInteger: an IPv6 /64 holds 2^64 addresses, and the number must be a
/// JSON integer, exact, not a string or a double.
/// </summary>
internal static class PlanJsonWriter
{
    public static void Write(PlanReport report, TextWriter writer) => Write(report.Result, report.Errors, report.ConfigWarnings, writer, probe: report.Probe);

    /// <summary>`ironlb status --output json`: the plan's shape for the live cluster, plus its speakers.</summary>
    public static void Write(ClusterStatus status, TextWriter writer) => Write(status.Plan, status.Plan.Errors, status.Plan.Warnings, writer, status.Speakers);

    /// <summary>The same shape for anything plan-like; <paramref name="speakers"/> is for `ironlb status` (a plan from files has none).</summary>
    public static void Write(PlanResult result, ImmutableArray<PlanError> errors, ImmutableArray<PlanError> warnings, TextWriter writer, ImmutableArray<SpeakerStatus>? speakers = null, ProbeReport? probe = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("pools");
            foreach (var pool in result.Pools)
            {
                json.WriteStartObject();
                json.WriteString("name", pool.Name);
                json.WriteBoolean("autoAssign", pool.AutoAssign);
                WriteUsage(json, "ipv4", pool.IPv4.Total, pool.IPv4.Assigned, pool.IPv4.Available);
                WriteUsage(json, "ipv6", pool.IPv6.Total, pool.IPv6.Assigned, pool.IPv6.Available);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("services");
            foreach (var service in result.Services)
            {
                json.WriteStartObject();
                json.WriteString("namespace", service.Namespace);
                json.WriteString("name", service.Name);
                WriteStrings(json, "ips", service.Ips);
                json.WriteString("pool", service.Pool);
                if (service.Announce is null)
                {
                    json.WriteNull("announce");
                }
                else
                {
                    json.WriteStartObject("announce");
                    json.WriteString("node", service.Announce.Node);
                    WriteStrings(json, "interfaces", service.Announce.Interfaces);
                    json.WriteEndObject();
                }

                json.WriteStartArray("egress");
                foreach (var path in service.Egress)
                {
                    json.WriteStartObject();
                    json.WriteString("family", path.Family == Core.Addressing.IpFamily.IPv4 ? "IPv4" : "IPv6");
                    json.WriteString("address", path.Address.ToString());
                    json.WriteString("node", path.Node);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("events");
                foreach (var e in service.Events)
                {
                    json.WriteStartObject();
                    json.WriteString("type", e.Type);
                    json.WriteString("reason", e.Reason);
                    json.WriteString("message", e.Message);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                if (service.Bgp is { } bgp)
                {
                    PlanBgpWriter.WriteJson(json, bgp);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteFindings(json, "errors", errors);
            WriteFindings(json, "warnings", warnings);
            if (speakers is { } reported)
            {
                WriteSpeakers(json, reported);
            }

            if (probe is not null)
            {
                WriteProbe(json, probe);
            }

            json.WriteEndObject();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Each speaker with its replies as an object, responder → path ("eno2/arp": "kernel").</summary>
    private static void WriteSpeakers(Utf8JsonWriter json, ImmutableArray<SpeakerStatus> speakers)
    {
        json.WriteStartArray("speakers");
        foreach (var speaker in speakers)
        {
            json.WriteStartObject();
            json.WriteString("node", speaker.Node);
            json.WriteString("config", speaker.Config);
            json.WriteString("membershipEndpoint", speaker.MembershipEndpoint);
            if (speaker.Replies is null)
            {
                json.WriteNull("replies");
            }
            else
            {
                json.WriteStartObject("replies");
                foreach (var (responder, path) in ReplyPaths.Parse(speaker.Replies))
                {
                    json.WriteString(responder, path);
                }

                json.WriteEndObject();
            }

            BgpSessionsWriter.WriteJson(json, speaker);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>`plan --probe`: one entry per probed address, in use or not, with the MACs that answered.</summary>
    private static void WriteProbe(Utf8JsonWriter json, ProbeReport probe)
    {
        json.WriteStartArray("probe");
        foreach (var address in probe.Addresses)
        {
            json.WriteStartObject();
            json.WriteString("address", address.Address);
            json.WriteString("interface", probe.Interface);
            json.WriteBoolean("inUse", address.InUse);
            WriteStrings(json, "macs", address.Macs);
            WriteStrings(json, "services", address.Services);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteFindings(Utf8JsonWriter json, string name, ImmutableArray<PlanError> findings)
    {
        json.WriteStartArray(name);
        foreach (var finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("file", finding.File);
            json.WriteString("object", finding.ObjectName);
            json.WriteString("message", finding.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteUsage(Utf8JsonWriter json, string name, BigInteger total, BigInteger assigned, BigInteger available)
    {
        json.WriteStartObject(name);
        WriteInteger(json, "total", total);
        WriteInteger(json, "assigned", assigned);
        WriteInteger(json, "available", available);
        json.WriteEndObject();
    }

    /// <summary>An exact JSON integer of any size: the decimal digits as a raw number token.</summary>
    private static void WriteInteger(Utf8JsonWriter json, string name, BigInteger value)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
