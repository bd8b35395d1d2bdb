namespace IronLb.Networking.Responders;

/// <summary>Holds the current table; the announcer writes it, every packet reads it once.</summary>
internal sealed class AnnounceTableHolder
{
    private volatile AnnounceTable _current = AnnounceTable.Empty;

    public AnnounceTable Current
    {
        get => _current;
        set => _current = value;
    }
}
