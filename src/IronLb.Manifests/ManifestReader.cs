using System.Collections.Immutable;
using System.Text;
using IronLb.Core.Allocation;
using IronLb.Core.Announcement;
using IronLb.Core.Configuration;

namespace IronLb.Manifests;

/// <summary>
/// Reads YAML and JSON manifests (files, or folders searched recursively) into Core's inputs: pools,
/// advertisements, nodes, namespaces, Services (Gateways become the Service Istio creates) and endpoints.
/// Objects the API server would refuse are reported with file, line and object, and left out.
/// </summary>
public static class ManifestReader
{
    /// <summary>Starts the message of a fatal error that is a bug of the reader, not a problem of the file.</summary>
    internal const string InternalErrorPrefix = "internal error while reading this file, please report it";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static ManifestReadResult Read(IEnumerable<string> paths, ManifestReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new ManifestReadOptions();
        var state = new ReadState(options);
        foreach (var file in ExpandPaths(paths, state.Fatal))
        {
            state.FileCount++;
            ReadFile(file, state);
        }

        if (state.FileCount == 0 && state.Fatal.Count == 0)
        {
            state.Fatal.Add(new ManifestError(string.Join(' ', paths), null, null, "no *.yaml, *.yml or *.json files found"));
        }

        return state.ToResult();
    }

    /// <summary>Reads one in-memory document set, for tests and tools; the name stands in for the file.</summary>
    public static ManifestReadResult ReadText(string name, string text, ManifestReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        return ReadBytes(name, Encoding.UTF8.GetBytes(text), options);
    }

    /// <summary>Reads one file's raw bytes (any bytes: the fuzzer's entry point); the name picks JSON or YAML.</summary>
    public static ManifestReadResult ReadBytes(string name, byte[] bytes, ManifestReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(bytes);
        var state = new ReadState(options ?? new ManifestReadOptions()) { FileCount = 1 };
        ReadDocuments(name, bytes, state);
        return state.ToResult();
    }

    private static List<string> ExpandPaths(IEnumerable<string> paths, List<ManifestError> fatal)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                // A file named explicitly is read whatever its extension.
                AddOnce(path);
            }
            else if (Directory.Exists(path))
            {
                try
                {
                    foreach (var file in EnumerateManifests(path).Order(StringComparer.Ordinal))
                    {
                        AddOnce(file);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    fatal.Add(new ManifestError(path, null, null, $"cannot read the folder: {e.Message}"));
                }
            }
            else
            {
                fatal.Add(new ManifestError(path, null, null, "no such file or folder"));
            }
        }

        return files;

        void AddOnce(string file)
        {
            if (seen.Add(Path.GetFullPath(file)))
            {
                files.Add(file);
            }
        }
    }

    /// <summary>Manifest files below a folder; hidden folders (.git) are skipped.</summary>
    private static IEnumerable<string> EnumerateManifests(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (Extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            {
                yield return file;
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            if (!Path.GetFileName(sub).StartsWith('.'))
            {
                foreach (var file in EnumerateManifests(sub))
                {
                    yield return file;
                }
            }
        }
    }

    private static void ReadFile(string file, ReadState state)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            state.Fatal.Add(new ManifestError(file, null, null, $"cannot read the file: {e.Message}"));
            return;
        }

        ReadDocuments(file, bytes, state);
    }

    private static void ReadDocuments(string file, byte[] bytes, ReadState state)
    {
        // Documents are dispatched while the file is parsed. A syntax error further down makes the
        // whole input unusable (exit 2), so what was dispatched before it is never planned.
        try
        {
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                // Utf8JsonReader checks a string's UTF-8 only when it is read, with InvalidOperationException
                // (found by fuzz/ manifest-json); check the whole file first, as the YAML path does by decoding.
                if (!System.Text.Unicode.Utf8.IsValid(bytes))
                {
                    throw new DecoderFallbackException();
                }

                JsonLoader.Load(file, bytes, document => Dispatch(document, state));
            }
            else
            {
                YamlLoader.Load(file, new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes), document => Dispatch(document, state));
            }
        }
        catch (ManifestSyntaxException e)
        {
            state.Fatal.Add(new ManifestError(e.File, e.Line, null, e.Message));
        }
        catch (DecoderFallbackException)
        {
            state.Fatal.Add(new ManifestError(file, null, null, "the file is not UTF-8 text"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not bad input but a bug in the reader (the fuzzer hunts these): still name the file, so the user
            // knows which one to look at, and the caller sees an unusable input rather than an exception.
            state.Fatal.Add(new ManifestError(file, null, null, $"{InternalErrorPrefix} ({e.GetType().Name}): {e.Message}"));
        }
    }

    private static void Dispatch(ManifestDocument document, ReadState state)
    {
        var name = $"document {document.Index + 1}";
        switch (document.Root)
        {
            case null:
                break;
            case MappingNode root:
                ObjectDispatcher.Read(root, document.File, name, state);
                break;
            default:
                state.Errors.Add(new ManifestError(document.File, document.Root.Line, name,
                    $"expected a Kubernetes object (a mapping with apiVersion and kind), got {document.Root.TypeName}"));
                break;
        }
    }

    /// <summary>What the reader accumulates over every file before it builds the result.</summary>
    internal sealed class ReadState(ManifestReadOptions options)
    {
        public ManifestReadOptions Options { get; } = options;
        public List<ManifestError> Fatal { get; } = [];
        public List<ManifestError> Errors { get; } = [];
        public List<IpAddressPoolResource> Pools { get; } = [];
        public List<L2AdvertisementResource> L2Advertisements { get; } = [];
        public List<BgpPeerResource> BgpPeers { get; } = [];
        public List<BgpAdvertisementResource> BgpAdvertisements { get; } = [];
        public List<CommunityResource> Communities { get; } = [];
        public List<ManifestSecret> Secrets { get; } = [];
        public List<NodeResource> Nodes { get; } = [];
        public List<NamespaceResource> Namespaces { get; } = [];
        public List<ServiceView> Services { get; } = [];
        public Dictionary<ServiceKey, List<EndpointView>> Endpoints { get; } = [];
        public Dictionary<ServiceKey, string> ServiceSources { get; } = [];
        public Dictionary<string, ImmutableDictionary<string, int>> FieldLines { get; } = new(StringComparer.Ordinal);
        public SortedDictionary<string, int> Ignored { get; } = new(StringComparer.Ordinal);

        /// <summary>Kind/namespace/name → where it was first defined, to report duplicates.</summary>
        public Dictionary<(string Kind, string? Namespace, string Name), string> Defined { get; } = [];
        public int FileCount { get; set; }
        public int ObjectCount { get; set; }

        public ManifestReadResult ToResult()
        {
            // Namespaces that hold Services but have no manifest still exist in the cluster, with the
            // label the API server sets, so namespaceSelectors on kubernetes.io/metadata.name work.
            var namespaces = Namespaces.ToList();
            var declared = namespaces.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var ns in Services.Select(s => s.Key.Namespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (declared.Add(ns))
                {
                    namespaces.Add(new NamespaceResource(ns,
                        ImmutableDictionary<string, string>.Empty.Add(ClusterObjectReaders.NamespaceNameLabel, ns)));
                }
            }

            return new ManifestReadResult
            {
                Resources = new ClusterResources
                {
                    Pools = [.. Pools],
                    L2Advertisements = [.. L2Advertisements],
                    // Name order, as the cluster ingest (ClusterIngest.Resources) gives them: which of two peers opening
                    // one session is reported must not depend on file order, or plan and the speaker would disagree.
                    BgpPeers = [.. BgpPeers.OrderBy(p => p.Name, StringComparer.Ordinal)],
                    BgpAdvertisements = [.. BgpAdvertisements.OrderBy(a => a.Name, StringComparer.Ordinal)],
                    Communities = [.. Communities.OrderBy(c => c.Name, StringComparer.Ordinal)],
                    Nodes = [.. Nodes],
                    Namespaces = [.. namespaces],
                    ConfigNamespace = Options.ConfigNamespace,
                },
                Services = [.. Services],
                Secrets = [.. Secrets],
                ServiceSources = ServiceSources.ToImmutableDictionary(),
                FieldLines = FieldLines.ToImmutableDictionary(StringComparer.Ordinal),
                Endpoints = Endpoints.ToImmutableDictionary(e => e.Key, e => new ServiceEndpoints([.. e.Value])),
                Errors = [.. Errors],
                FatalErrors = [.. Fatal],
                IgnoredKinds = Ignored.ToImmutableSortedDictionary(StringComparer.Ordinal),
                FileCount = FileCount,
                ObjectCount = ObjectCount,
            };
        }
    }
}
