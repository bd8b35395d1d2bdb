using System.Text;
using System.Text.Json.Nodes;
using IronLb.KubeSim.Http;
using IronLb.KubeSim.Json;

namespace IronLb.KubeSim.Protobuf;

/// <summary>Decodes the protobuf request bodies kubectl's typed generators send (<c>kubectl create namespace</c>,
/// <c>create configmap</c>, <c>create secret generic</c>, <c>create service …</c>, <c>auth can-i</c>, <c>create token</c>), which it never retries as
/// JSON. Only those kinds and the fields the generators fill are known; unknown fields are skipped, and zero
/// values are dropped as JSON's <c>omitempty</c> would (gogo-protobuf writes empty strings explicitly).</summary>
internal static class ProtobufBody
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private enum T
    {
        String,
        Bytes,
        Int,
        Bool,
        Message,
        StringMap,
        BytesMap,
        RepeatedString,
        RepeatedMessage,
        IntOrString,
    }

    private sealed record F(string Name, T Type, Dictionary<int, F>? Message = null);

    private static readonly Dictionary<int, F> ObjectMeta = new()
    {
        [1] = new("name", T.String),
        [2] = new("generateName", T.String),
        [3] = new("namespace", T.String),
        [11] = new("labels", T.StringMap),
        [12] = new("annotations", T.StringMap),
        [14] = new("finalizers", T.RepeatedString),
    };

    private static readonly Dictionary<int, F> ServicePort = new()
    {
        [1] = new("name", T.String),
        [2] = new("protocol", T.String),
        [3] = new("port", T.Int),
        [4] = new("targetPort", T.IntOrString),
        [5] = new("nodePort", T.Int),
        [6] = new("appProtocol", T.String),
    };

    private static readonly Dictionary<int, F> ServiceSpec = new()
    {
        [1] = new("ports", T.RepeatedMessage, ServicePort),
        [2] = new("selector", T.StringMap),
        [3] = new("clusterIP", T.String),
        [4] = new("type", T.String),
        [5] = new("externalIPs", T.RepeatedString),
        [7] = new("sessionAffinity", T.String),
        [8] = new("loadBalancerIP", T.String),
        [10] = new("externalName", T.String),
        [11] = new("externalTrafficPolicy", T.String),
        [18] = new("clusterIPs", T.RepeatedString),
    };

    private static readonly Dictionary<string, Dictionary<int, F>> Kinds = new(StringComparer.Ordinal)
    {
        ["Namespace"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("spec", T.Message, new() { [1] = new("finalizers", T.RepeatedString) }),
        },
        ["ConfigMap"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("data", T.StringMap),
            [3] = new("binaryData", T.BytesMap),
            [4] = new("immutable", T.Bool),
        },
        ["Secret"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("data", T.BytesMap),
            [3] = new("type", T.String),
            [4] = new("stringData", T.StringMap),
            [5] = new("immutable", T.Bool),
        },
        ["SelfSubjectAccessReview"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("spec", T.Message, new()
            {
                [1] = new("resourceAttributes", T.Message, new()
                {
                    [1] = new("namespace", T.String),
                    [2] = new("verb", T.String),
                    [3] = new("group", T.String),
                    [4] = new("version", T.String),
                    [5] = new("resource", T.String),
                    [6] = new("subresource", T.String),
                    [7] = new("name", T.String),
                }),
                [2] = new("nonResourceAttributes", T.Message, new() { [1] = new("path", T.String), [2] = new("verb", T.String) }),
            }),
        },
        ["SelfSubjectRulesReview"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("spec", T.Message, new() { [1] = new("namespace", T.String) }),
        },
        ["TokenRequest"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("spec", T.Message, new()
            {
                [1] = new("audiences", T.RepeatedString),
                [3] = new("boundObjectRef", T.Message, new()
                {
                    [1] = new("kind", T.String),
                    [2] = new("apiVersion", T.String),
                    [3] = new("name", T.String),
                    [4] = new("uid", T.String),
                }),
                [4] = new("expirationSeconds", T.Int),
            }),
        },
        ["Service"] = new()
        {
            [1] = new("metadata", T.Message, ObjectMeta),
            [2] = new("spec", T.Message, ServiceSpec),
        },
    };

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            return DecodeEnvelope(body);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            // A truncated or lying length, or a field repeated where the JSON tree cannot take it (found by fuzz/
            // kubesim-body): a 400 like any undecodable body, not a 500.
            throw ApiException.BadRequest($"the protobuf body could not be decoded: {e.Message}");
        }
    }

    private static JsonObject DecodeEnvelope(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw ApiException.BadRequest("the protobuf body does not start with the k8s envelope");
        }
        var envelope = Read(body[Magic.Length..], new Dictionary<int, F>
        {
            [1] = new("typeMeta", T.Message, new() { [1] = new("apiVersion", T.String), [2] = new("kind", T.String) }),
            [2] = new("raw", T.Bytes),
        }, keepBytes: true);
        var kind = JsonText.Str(envelope, "typeMeta", "kind") ?? "";
        if (!Kinds.TryGetValue(kind, out var schema) || envelope["raw"] is not JsonValue raw)
        {
            throw ApiException.UnsupportedMediaType($"application/vnd.kubernetes.protobuf ({kind}; use kubectl apply -f or -o yaml | kubectl apply -f -)");
        }
        var obj = Read(Convert.FromBase64String(raw.GetValue<string>()), schema);
        var result = new JsonObject { ["apiVersion"] = JsonText.Str(envelope, "typeMeta", "apiVersion"), ["kind"] = kind };
        foreach (var (name, value) in obj.ToList())
        {
            obj.Remove(name);
            result[name] = value;
        }
        return result;
    }

    private static JsonObject Read(ReadOnlySpan<byte> data, Dictionary<int, F> schema, bool keepBytes = false)
    {
        var obj = new JsonObject();
        var at = 0;
        while (at < data.Length)
        {
            var tag = Varint(data, ref at);
            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            ReadOnlySpan<byte> bytes = default;
            ulong number = 0;
            switch (wire)
            {
                case 0:
                    number = Varint(data, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref at);
                    bytes = data.Slice(at, length);
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"unsupported protobuf wire type {wire}");
            }
            if (!schema.TryGetValue(field, out var f))
            {
                continue;
            }
            switch (f.Type)
            {
                case T.String when bytes.Length > 0:
                    obj[f.Name] = Encoding.UTF8.GetString(bytes);
                    break;
                case T.Bytes when bytes.Length > 0 || keepBytes:
                    obj[f.Name] = Convert.ToBase64String(bytes);
                    break;
                case T.Int when number != 0:
                    obj[f.Name] = (long)number;
                    break;
                case T.Bool when number != 0:
                    obj[f.Name] = true;
                    break;
                case T.Message:
                    var child = Read(bytes, f.Message!);
                    if (child.Count > 0)
                    {
                        obj[f.Name] = child;
                    }
                    break;
                case T.StringMap or T.BytesMap:
                    var entry = Read(bytes, new() { [1] = new("k", T.String), [2] = new("v", f.Type == T.StringMap ? T.String : T.Bytes) }, keepBytes: true);
                    var map = obj[f.Name] as JsonObject ?? [];
                    map[JsonText.Str(entry, "k") ?? ""] = entry["v"]?.DeepClone() ?? "";
                    obj[f.Name] = map;
                    break;
                case T.RepeatedString:
                    var strings = obj[f.Name] as JsonArray ?? [];
                    strings.AddNode(Encoding.UTF8.GetString(bytes));
                    obj[f.Name] = strings;
                    break;
                case T.RepeatedMessage:
                    var items = obj[f.Name] as JsonArray ?? [];
                    items.AddNode(Read(bytes, f.Message!));
                    obj[f.Name] = items;
                    break;
                case T.IntOrString:
                    var ios = Read(bytes, new() { [1] = new("type", T.Int), [2] = new("intVal", T.Int), [3] = new("strVal", T.String) });
                    obj[f.Name] = JsonText.Long(ios["type"]) == 1 ? ios["strVal"]?.DeepClone() ?? "" : JsonText.Long(ios["intVal"]) ?? 0;
                    break;
            }
        }
        return obj;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw ApiException.BadRequest("malformed protobuf varint");
    }
}
