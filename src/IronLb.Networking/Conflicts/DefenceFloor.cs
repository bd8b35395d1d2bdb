using System.Net;

namespace IronLb.Networking.Conflicts;

/// <summary>
/// At most one defence per address per <see cref="Spacing"/>, whatever the caller asks: the speaker rate-limits
/// its defences itself, and this floor keeps a bug there from flooding the LAN with gratuitous frames.
/// Timestamps come from the caller's <see cref="TimeProvider"/> (monotonic). Thread-safe.
/// </summary>
internal sealed class DefenceFloor(TimeProvider time)
{
    public static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, long> _last = [];

    /// <summary>True, and the address's turn is used, when its last defence is at least <see cref="Spacing"/> ago.</summary>
    public bool TryTake(IPAddress address)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_last.TryGetValue(address, out var last) && time.GetElapsedTime(last, now) < Spacing)
            {
                return false;
            }

            // Forget addresses whose turn has come round again, so the map stays as small as the conflicts.
            if (_last.Count >= 64)
            {
                foreach (var (old, at) in _last.ToList())
                {
                    if (time.GetElapsedTime(at, now) >= Spacing)
                    {
                        _last.Remove(old);
                    }
                }
            }

            _last[address] = now;
            return true;
        }
    }
}
