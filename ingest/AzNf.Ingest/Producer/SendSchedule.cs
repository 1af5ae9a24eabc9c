namespace AzNf.Ingest.Producer;

/// <summary>
/// When each packet of a replay is due, as an offset from the start of sending: a pure function
/// of the rate and the packets before it, so tests check the schedule rather than wall time.
/// </summary>
public sealed class SendSchedule(SendRate rate)
{
    private long _packets;
    private long _bits;
    private long _firstTimestamp;

    public SendRate Rate { get; } = rate;

    /// <summary>The offset at which the next packet (of <paramref name="wireLength"/> bytes, captured at <paramref name="timestampNanos"/>) may go.</summary>
    public TimeSpan Next(int wireLength, long timestampNanos)
    {
        long before = _packets++;
        long bitsBefore = _bits;
        _bits += wireLength * 8L;
        if (before == 0)
        {
            _firstTimestamp = timestampNanos;
        }
        return Rate.Kind switch
        {
            SendRateKind.PacketsPerSecond => TimeSpan.FromSeconds(before / Rate.Value),
            SendRateKind.BitsPerSecond => TimeSpan.FromSeconds(bitsBefore / Rate.Value),
            // A capture whose clock steps back does not make packets due before the start.
            SendRateKind.CaptureSpeed => TimeSpan.FromTicks((long)(Math.Max(0, timestampNanos - _firstTimestamp) / 100 / Rate.Value)),
            _ => TimeSpan.Zero,
        };
    }
}
