using System.Diagnostics.Metrics;

namespace IronLb.Testing;

/// <summary>
/// Meters that belong to one test. Tests in one process run in parallel, and their announcers and speakers
/// create meters with the same names and count the same addresses, so a MeterListener that filters by meter
/// name sees the others' measurements too. Give the component this factory and filter on
/// <c>ReferenceEquals(instrument.Meter.Scope, meters)</c>.
/// </summary>
public sealed class ScopedMeters : IMeterFactory
{
    private readonly List<Meter> _created = [];
    private readonly Lock _gate = new();

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Scope = this;
        var meter = new Meter(options);
        lock (_gate)
        {
            _created.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _created.ForEach(m => m.Dispose());
            _created.Clear();
        }
    }
}
