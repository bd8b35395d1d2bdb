namespace IronLb.Networking.Responders;

/// <summary>
/// What every packet reads: the current table (the announcer writes it, every packet reads it once) and the
/// deadline after which nothing is answered (<see cref="AnswerDeadline"/>, checked per answer).
/// </summary>
internal sealed class AnnounceTableHolder(AnswerDeadline deadline)
{
    private volatile AnnounceTable _current = AnnounceTable.Empty;

    public AnswerDeadline Deadline { get; } = deadline;

    public AnnounceTable Current
    {
        get => _current;
        set => _current = value;
    }
}
