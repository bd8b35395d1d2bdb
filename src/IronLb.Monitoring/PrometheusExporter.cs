using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace IronLb.Monitoring;

/// <summary>
/// Renders System.Diagnostics.Metrics instruments in Prometheus text format under their own names, so
/// MetalLB's dashboards and alerts (metallb_allocator_*, metallb_layer2_*, …) keep working. Counters are
/// summed; gauges and up-down counters keep what their last observation reported, and series an
/// observable gauge no longer reports (a deleted pool) disappear on the next scrape. The process_* series of
/// Prometheus' Go client come with every exporter.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly HashSet<string> _meters;
    private readonly HashSet<Meter> _meterInstances = [];
    private readonly ConcurrentDictionary<Series, double> _counters = new();
    private readonly ConcurrentDictionary<Series, double> _gauges = new();
    private readonly ConcurrentDictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Lock _scrape = new();
    private readonly List<Action> _beforeRender = [];
    private MeterListener? _listener;
    private ProcessMetrics? _process;

    /// <summary>Exports every meter with one of these names (a process serves one component).</summary>
    public PrometheusExporter(params string[] meterNames)
    {
        _meters = new HashSet<string>(meterNames, StringComparer.Ordinal);
    }

    /// <summary>Exports exactly these meter instances (several components in one process, as in tests).</summary>
    public PrometheusExporter(params Meter[] meters)
    {
        _meters = new HashSet<string>(StringComparer.Ordinal);
        _meterInstances = [.. meters];
    }

    /// <summary>Starts listening; every exporter also serves the process_* series (<see cref="ProcessMetrics"/>).</summary>
    public void Start()
    {
        _process = ProcessMetrics.Create();
        _meterInstances.Add(_process.Meter);
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (_meters.Contains(instrument.Meter.Name) || _meterInstances.Contains(instrument.Meter))
                {
                    _types[instrument.Name] = instrument is Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> ? "counter" : "gauge";
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
        _listener = listener;
    }

    /// <summary>
    /// Runs <paramref name="flush"/> at the start of every scrape: for counts a component keeps outside the
    /// process (the kernel's ARP replies) and adds to its counters only when asked, so a scrape sees them all.
    /// </summary>
    public void BeforeRender(Action flush)
    {
        lock (_scrape)
        {
            _beforeRender.Add(flush);
        }
    }

    public string Render()
    {
        lock (_scrape)
        {
            foreach (var flush in _beforeRender)
            {
                flush();
            }

            _gauges.Clear();
            _listener?.RecordObservableInstruments();
            var builder = new StringBuilder();
            foreach (var group in _counters.Concat(_gauges).GroupBy(p => p.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                builder.Append("# TYPE ").Append(group.Key).Append(' ').Append(_types.GetValueOrDefault(group.Key, "gauge")).Append('\n');
                foreach (var (series, value) in group.OrderBy(p => p.Key.Labels, StringComparer.Ordinal))
                {
                    builder.Append(series.Name).Append(series.Labels).Append(' ')
                        .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return builder.ToString();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = new Series(instrument.Name, Labels(tags));
        switch (instrument)
        {
            case Counter<long> or Counter<double> or Counter<int>:
                _counters.AddOrUpdate(series, value, (_, sum) => sum + value);
                break;
            case UpDownCounter<long> or UpDownCounter<double> or UpDownCounter<int>:
                _counters.AddOrUpdate(series, value, (_, sum) => sum + value);
                break;
            default:
                _gauges[series] = value;
                break;
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var pairs = new List<KeyValuePair<string, object?>>(tags.ToArray());
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder("{");
        foreach (var (key, value) in pairs)
        {
            if (builder.Length > 1)
            {
                builder.Append(',');
            }

            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            builder.Append(key).Append("=\"").Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }

        return builder.Append('}').ToString();
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _process?.Dispose();
    }

    private readonly record struct Series(string Name, string Labels);
}
