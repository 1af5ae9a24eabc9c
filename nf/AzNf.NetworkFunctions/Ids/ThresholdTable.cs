using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The counters of <c>threshold</c> and <c>detection_filter</c> rules, one per rule and tracked
/// address(es), shared by every partition of an IDS stage, so a source's matches are counted
/// together whichever partitions its flows hash to (Suricata's host and ippair tables). Windows
/// run in packet time. Used only when a thresholded rule matches, so one lock is enough.
/// </summary>
/// <remarks>
/// Partitions run concurrently, so with more than one partition the matches of one window may be
/// counted in another order than the capture's: how many alerts a window gives is the same, which
/// of its matches alert may differ (docs/ids.md). The table holds at most <c>maxEntries</c>
/// counters; when full, entries whose window has passed are dropped, and if none has, the match
/// alerts uncounted (<c>thresholds:table-full</c>) rather than vanish.
/// </remarks>
internal sealed class ThresholdTable(int maxEntries)
{
    private const long NanosPerSecond = 1_000_000_000;
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Counts a match of <paramref name="rule"/>; true when it alerts, false when the threshold suppresses it.</summary>
    /// <param name="rule">The rule that matched.</param>
    /// <param name="threshold">Its threshold or detection_filter.</param>
    /// <param name="packet">The matching packet: its addresses pick the counter.</param>
    /// <param name="timeNanos">The packet's capture time.</param>
    /// <param name="tableFull">Set when the match could not be counted because the table is full.</param>
    public bool Allows(IdsRule rule, IdsThreshold threshold, in ParsedPacket packet, long timeNanos, out bool tableFull)
    {
        tableFull = false;
        var key = threshold.Track switch
        {
            IdsThresholdTrack.BySource => new Key(rule.Sid, packet.Source, default),
            IdsThresholdTrack.ByDestination => new Key(rule.Sid, packet.Destination, default),
            IdsThresholdTrack.ByRule => new Key(rule.Sid, default, default),
            _ => new Key(rule.Sid, packet.Source, packet.Destination),
        };
        long window = threshold.Seconds * NanosPerSecond;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                if (_entries.Count >= maxEntries && !Evict(timeNanos))
                {
                    tableFull = true;
                    return true;
                }
                _entries[key] = new Entry(timeNanos, 1);
                return threshold.Type switch
                {
                    IdsThresholdType.DetectionFilter => 1 > threshold.Count,
                    IdsThresholdType.Limit => true,
                    _ => threshold.Count <= 1,
                };
            }
            bool inWindow = timeNanos - entry.WindowStart < window;
            bool alert;
            if (!inWindow)
            {
                entry = new Entry(timeNanos, 1);
                alert = threshold.Type switch
                {
                    IdsThresholdType.DetectionFilter => 1 > threshold.Count,
                    IdsThresholdType.Limit => true,
                    _ => threshold.Count <= 1,
                };
            }
            else
            {
                int count = entry.Count + 1;
                switch (threshold.Type)
                {
                    case IdsThresholdType.Limit:
                        alert = count <= threshold.Count;
                        break;
                    case IdsThresholdType.Threshold:
                        alert = count >= threshold.Count;
                        if (alert)
                        {
                            count = 0;
                        }
                        break;
                    case IdsThresholdType.Both:
                        alert = count == threshold.Count;
                        break;
                    default:
                        alert = count > threshold.Count;
                        break;
                }
                // Saturate so a long window cannot overflow the count.
                entry = entry with { Count = Math.Min(count, int.MaxValue - 1) };
            }
            _entries[key] = entry;
            return alert;
        }
    }

    // Drops counters whose window has passed (as of now); true when room was made.
    private bool Evict(long timeNanos)
    {
        List<Key>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            // The longest window any rule may have bounds how long a counter matters.
            if (timeNanos - entry.WindowStart >= MaxWindowNanos)
            {
                (expired ??= []).Add(key);
            }
        }
        foreach (var key in expired ?? [])
        {
            _entries.Remove(key);
        }
        return _entries.Count < maxEntries;
    }

    /// <summary>The longest window of the rule set; set once when the definition is built.</summary>
    public long MaxWindowNanos { get; set; } = NanosPerSecond;

    private readonly record struct Key(int Sid, NetAddress First, NetAddress Second);

    private readonly record struct Entry(long WindowStart, int Count);
}
