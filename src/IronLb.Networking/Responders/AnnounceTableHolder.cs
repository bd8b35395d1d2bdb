namespace IronLb.Networking.Responders;

/// <summary>
/// What every packet reads: the current table (the announcer writes it, every packet reads it once) and the
/// deadline after which nothing is answered (<see cref="AnswerDeadline"/>, checked per answer), and what the
/// conflict check needs (<see cref="Claims"/>).
/// </summary>
internal sealed class AnnounceTableHolder(AnswerDeadline deadline)
{
    private volatile AnnounceTable _current = AnnounceTable.Empty;

    public AnswerDeadline Deadline { get; } = deadline;

    /// <summary>The conflict check's observer and watched addresses, read per frame like the table.</summary>
    public Conflicts.ClaimWatch Claims { get; } = new();

    public AnnounceTable Current
    {
        get => _current;
        set => _current = value;
    }
}
