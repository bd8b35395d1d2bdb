using System.Collections.Frozen;
using System.Collections.Immutable;
using IronLb.Core.Allocation;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>
/// Decides what one object is from apiVersion and kind, and hands it to the reader for that kind. Kinds plan
/// does not use are counted and skipped; a kind plan uses with the wrong apiVersion is an error, because the
/// API server would refuse it and the configuration would silently lack it.
/// </summary>
internal static class ObjectDispatcher
{
    private const string MetalLbGroup = "metallb.io";
    private const string GatewayGroup = "gateway.networking.k8s.io";
    private const string DiscoveryGroup = "discovery.k8s.io";

    private static readonly FrozenSet<string> TopLevelFields = FrozenSet.Create(StringComparer.Ordinal,
        "apiVersion", "kind", "metadata", "spec", "status");

    private static readonly FrozenSet<string> EndpointSliceFields = FrozenSet.Create(StringComparer.Ordinal,
        "apiVersion", "kind", "metadata", "addressType", "endpoints", "ports");

    /// <summary>MetalLB kinds that exist but plan does not read (BFD, status objects).</summary>
    private static readonly FrozenSet<string> OtherMetalLbKinds = FrozenSet.Create(StringComparer.Ordinal,
        "BFDProfile", "ServiceL2Status", "ServiceBGPStatus", "ConfigurationState");

    /// <summary>Kind → (group, served versions) for the kinds plan reads.</summary>
    private static readonly FrozenDictionary<string, (string Group, string[] Versions)> Used =
        new Dictionary<string, (string, string[])>(StringComparer.Ordinal)
        {
            ["IPAddressPool"] = (MetalLbGroup, ["v1beta1"]),
            ["L2Advertisement"] = (MetalLbGroup, ["v1beta1"]),
            ["BGPPeer"] = (MetalLbGroup, ["v1beta2", "v1beta1"]),
            ["BGPAdvertisement"] = (MetalLbGroup, ["v1beta1"]),
            ["Community"] = (MetalLbGroup, ["v1beta1"]),
            ["Service"] = ("", ["v1"]),
            ["Node"] = ("", ["v1"]),
            ["Namespace"] = ("", ["v1"]),
            ["Gateway"] = (GatewayGroup, ["v1", "v1beta1"]),
            ["EndpointSlice"] = (DiscoveryGroup, ["v1"]),
            ["Secret"] = ("", ["v1"]),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Names other projects reuse (Knative Service, Istio Gateway): in another group they are someone else's kind.</summary>
    private static readonly FrozenSet<string> SharedKindNames = FrozenSet.Create(StringComparer.Ordinal,
        "Service", "Node", "Namespace", "Gateway", "Secret");

    public static void Read(MappingNode root, string file, string documentName, ManifestReader.ReadState state)
    {
        var context = new ObjectContext(file, documentName, state.Errors);
        var apiVersion = context.String(root, "apiVersion", "");
        var kind = context.String(root, "kind", "");
        if (context.HasErrors)
        {
            return;
        }

        if (apiVersion is null && kind is null)
        {
            // Helm values files and other plain YAML live in GitOps trees too; they are not objects.
            Count(state, "(documents without apiVersion and kind)");
            return;
        }

        if (apiVersion is null || kind is null)
        {
            context.Error(root, $"missing required field \"{(apiVersion is null ? "apiVersion" : "kind")}\"");
            return;
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = apiVersion[(slash + 1)..];

        if (kind == "List" || (kind.EndsWith("List", StringComparison.Ordinal) && root["items"] is not null))
        {
            foreach (var (item, path) in context.MappingItems(root, "items", ""))
            {
                Read(item, file, $"{kind} {path}", state);
            }

            return;
        }

        state.ObjectCount++;
        context.ObjectName = PeekName(root, kind, state.Options);
        if (!Used.TryGetValue(kind, out var served) || (group != served.Group && SharedKindNames.Contains(kind)))
        {
            if (group == MetalLbGroup && !OtherMetalLbKinds.Contains(kind))
            {
                // A misspelt MetalLB kind would otherwise vanish into the ignored count.
                context.Error(root["kind"], $"kind \"{kind}\" does not exist in {MetalLbGroup}");
                return;
            }

            Count(state, group.Length == 0 ? kind : $"{kind}.{group}");
            return;
        }

        if (kind == "Secret" && !InConfigNamespace(root, state.Options))
        {
            // Another namespace's Secret is none of the speaker's business (it may read MetalLB's only).
            Count(state, kind);
            return;
        }

        if (group != served.Group || !served.Versions.Contains(version))
        {
            var expected = string.Join(" or ", served.Versions.Select(v => served.Group.Length == 0 ? v : $"{served.Group}/{v}"));
            context.Error(root["apiVersion"], $"apiVersion \"{apiVersion}\" is not served for {kind}; expected {expected}");
            return;
        }

        context.RejectUnknown(root, "", kind switch
        {
            "EndpointSlice" => EndpointSliceFields,
            "Secret" => SecretReader.Fields,
            _ => TopLevelFields,
        });
        var metadata = ObjectMetadata.Read(root, context);
        if (metadata is null)
        {
            return;
        }

        var ns = DefaultNamespace(kind, metadata.Namespace, state.Options);
        var reference = new ObjectRef(kind, ns, metadata.Name, $"{file}:{root.Line}");
        context.ObjectName = reference.ToString();
        if (context.HasErrors)
        {
            return;
        }

        switch (kind)
        {
            case "IPAddressPool":
                Add(MetalLbReaders.ReadPool(root, reference, metadata, context), state.Pools);
                break;
            case "L2Advertisement":
                Add(MetalLbReaders.ReadL2Advertisement(root, reference, context), state.L2Advertisements);
                break;
            case "BGPPeer":
                Add(MetalLbBgpReaders.ReadPeer(root, reference, version, context), state.BgpPeers);
                break;
            case "BGPAdvertisement":
                Add(MetalLbBgpReaders.ReadAdvertisement(root, reference, context), state.BgpAdvertisements);
                break;
            case "Community":
                Add(MetalLbBgpReaders.ReadCommunity(root, reference, context), state.Communities);
                break;
            case "Node":
                Add(ClusterObjectReaders.ReadNode(root, metadata, context), state.Nodes);
                break;
            case "Namespace":
                Add(ClusterObjectReaders.ReadNamespace(metadata), state.Namespaces);
                break;
            case "Service":
                AddService(ServiceReader.Read(root, new ServiceKey(ns!, metadata.Name), metadata, context, state.Options.ClusterFamilies));
                break;
            case "Gateway":
                var gateway = GatewayReader.Read(root, ns!, metadata, context, state.Options.ClusterFamilies);
                if (gateway is not null)
                {
                    // The generated Service is what collides with a Service of the same name.
                    context.ObjectName = $"{reference} (Service {gateway.Key})";
                    reference = new ObjectRef("Service", gateway.Key.Namespace, gateway.Key.Name, reference.Source);
                }

                AddService(gateway);
                break;
            case "Secret":
                Add(SecretReader.Read(root, metadata, context), state.Secrets);
                break;
            case "EndpointSlice":
                var (service, endpoints) = ClusterObjectReaders.ReadEndpointSlice(root, metadata, context);
                if (service is not null && !context.HasErrors && Claim(root, reference, context, state))
                {
                    var key = new ServiceKey(ns!, service);
                    if (!state.Endpoints.TryGetValue(key, out var list))
                    {
                        state.Endpoints[key] = list = [];
                    }

                    list.AddRange(endpoints);
                }

                break;
            default:
                break;
        }

        void AddService(ServiceView? service)
        {
            if (service is not null && !context.HasErrors && Claim(root, reference, context, state))
            {
                state.Services.Add(service);
                state.ServiceSources[service.Key] = reference.Source!;
            }
        }

        void Add<T>(T? item, List<T> target)
            where T : class
        {
            if (item is not null && !context.HasErrors && Claim(root, reference, context, state))
            {
                target.Add(item);
            }
        }
    }

    /// <summary>
    /// The object's name for errors found before its metadata is validated (a wrong apiVersion, a bad
    /// label), from metadata.name and metadata.namespace when they are plain strings, with the same
    /// namespace defaulting as the object itself gets.
    /// </summary>
    private static string PeekName(MappingNode root, string kind, ManifestReadOptions options)
    {
        if (root["metadata"] is not MappingNode metadata || metadata["name"] is not ScalarNode { Kind: ScalarKind.String } name)
        {
            return $"{kind} (without a name)";
        }

        var ns = metadata["namespace"] is ScalarNode { Kind: ScalarKind.String } given ? given.Value : null;
        return new ObjectRef(kind, DefaultNamespace(kind, ns, options), name.Value).ToString();
    }

    private static bool InConfigNamespace(MappingNode root, ManifestReadOptions options) =>
        string.Equals(root["metadata"] is MappingNode metadata && metadata["namespace"] is ScalarNode { Kind: ScalarKind.String } ns ? ns.Value : "default",
            options.ConfigNamespace, StringComparison.Ordinal);

    /// <summary>Cluster-scoped kinds have none; MetalLB's kinds default to its namespace, the rest to "default".</summary>
    private static string? DefaultNamespace(string kind, string? given, ManifestReadOptions options) => kind switch
    {
        "Node" or "Namespace" => null,
        "IPAddressPool" or "L2Advertisement" or "BGPPeer" or "BGPAdvertisement" or "Community" => given ?? options.ConfigNamespace,
        _ => given ?? "default",
    };

    /// <summary>Records the object's identity; a second definition is an error and the first one stays.</summary>
    private static bool Claim(MappingNode root, ObjectRef reference, ObjectContext context, ManifestReader.ReadState state)
    {
        var key = (reference.Kind, reference.Namespace, reference.Name);
        if (state.Defined.TryGetValue(key, out var first))
        {
            context.Error(root, $"{reference} is defined twice; the definition at {first} is used");
            return false;
        }

        state.Defined[key] = reference.Source!;
        state.FieldLines[reference.Source!] = context.FieldLines.ToImmutableDictionary(StringComparer.Ordinal);
        return true;
    }

    private static void Count(ManifestReader.ReadState state, string key) =>
        state.Ignored[key] = state.Ignored.GetValueOrDefault(key) + 1;
}
