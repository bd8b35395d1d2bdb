using IronLb.Networking.Interfaces;
using IronLb.Networking.Packets;
using IronLb.Networking.Responders;
using IronLb.Networking.Sockets;
using Microsoft.Extensions.Logging;

namespace IronLb.Networking.Ebpf;

/// <summary>
/// The announcer's kernel reply path (<see cref="Layer2Options.KernelReplies"/>): loads the programs on the
/// first interface, attaches them beside each userspace responder, keeps their maps equal to the table and
/// counts the replies they send as the userspace responders count theirs. Not thread-safe: the announcer
/// calls it under its own lock.
/// </summary>
internal sealed class KernelReplyPath
{
    private readonly Layer2Options _options;
    private readonly ILinkLayerPlatform _platform;
    private readonly Layer2Metrics _metrics;
    private readonly DropCounters _drops;
    private readonly ILogger _logger;
    private readonly AnswerDeadline _deadline;
    private IKernelResponder? _kernel;
    private long _expiredBefore;
    private int _deadlineRefusalLogged;
    private bool _tried;
    private long[]? _counts;

    public KernelReplyPath(Layer2Options options, ILinkLayerPlatform platform, Layer2Metrics metrics, DropCounters drops, AnswerDeadline deadline, ILogger logger)
    {
        _deadline = deadline;
        _options = options;
        _platform = platform;
        _metrics = metrics;
        _drops = drops;
        _logger = logger;
    }

    /// <summary>Where the kernel answers, as "name/arp" or "name/ndp"; empty when it answers nowhere.</summary>
    public IEnumerable<string> Attachments => _kernel?.Attachments ?? [];

    /// <summary>
    /// Has the kernel answer <paramref name="kind"/> on an interface whose userspace responder of that kind
    /// just started, loading the program first if this is the first. A refusal other than the interface
    /// vanishing turns the kernel path off until restart: a kernel without TCX refuses every interface
    /// alike, and half the interfaces in the kernel would only make replies harder to reason about.
    /// </summary>
    public void Attach(InterfaceInfo info, ResponderKind kind)
    {
        if (!_options.KernelReplies)
        {
            return;
        }

        if (!_tried)
        {
            _tried = true;
            try
            {
                _kernel = _platform.OpenKernelResponder();
            }
            catch (BpfException e)
            {
                Log.KernelUnavailable(_logger, e.Reason);
            }

            if (_kernel is not null)
            {
                _counts ??= _drops.Allocate();
                _deadline.Bind(WriteDeadline);
                Log.KernelLoaded(_logger);
            }
        }

        if (_kernel is null)
        {
            return;
        }

        try
        {
            _kernel.Attach(info, kind);
        }
        catch (BpfException e) when (e.Errno == Interop.Libc.Enodev)
        {
            Log.KernelAttachFailed(_logger, e, info.Name);
        }
        catch (BpfException e)
        {
            Log.KernelUnavailable(_logger, e.Reason);
            Unload();
        }
    }

    /// <summary>The interface is going away: its programs and entries go with it, their replies counted.</summary>
    public void Detach(int interfaceIndex) => _kernel?.Detach(interfaceIndex, CountReplies);

    /// <summary>Withdrawals reach the kernel before this returns, like the swap of the userspace table.</summary>
    public void Sync(AnnounceTable table)
    {
        if (_kernel?.Sync(table, CountReplies) is { Count: > 0 } refused)
        {
            Log.KernelEntriesRefused(_logger, refused[0], refused.Count);
        }
    }

    public void Collect() => _kernel?.Collect(CountReplies);

    /// <summary>Requests the kernel handed on because the answer deadline had passed, over every load.</summary>
    public long Expired => _expiredBefore + (_kernel?.Expired ?? 0);

    /// <summary>
    /// Detaches and unloads the kernel path, its replies counted first. It stays off until <see cref="Rearm"/>,
    /// so that a rescan in between does not load it again.
    /// </summary>
    public void Unload()
    {
        Collect();
        _deadline.Bind(null);
        _expiredBefore = Expired;
        _kernel?.Dispose();
        _kernel = null;
        _tried = true;
    }

    /// <summary>The next attach may load the programs again (the announcer has stopped and may start anew).</summary>
    public void Rearm() => _tried = false;

    /// <summary>
    /// Called under the deadline's lock, from whichever thread moved it (the speaker's tick). A refusal leaves
    /// the old deadline in the map, which then passes: the failure stops replies rather than prolonging them.
    /// </summary>
    private void WriteDeadline(ulong nanoseconds)
    {
        try
        {
            _kernel?.SetDeadline(nanoseconds);
            Volatile.Write(ref _deadlineRefusalLogged, 0);
        }
        catch (BpfException e)
        {
            if (Interlocked.Exchange(ref _deadlineRefusalLogged, 1) == 0)
            {
                Log.KernelDeadlineRefused(_logger, e.Reason);
            }
        }
    }

    /// <summary>A reply the kernel sent is a request received and a response sent, as in userspace.</summary>
    private void CountReplies(string label, long count)
    {
        var ip = Layer2Metrics.Ip(label);
        _metrics.RequestsReceived.Add(count, ip);
        _metrics.ResponsesSent.Add(count, ip);
        if (_counts is { } counts)
        {
            Volatile.Write(ref counts[(int)DropReason.None], counts[(int)DropReason.None] + count);
        }
    }
}
