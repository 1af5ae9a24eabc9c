namespace AzNf.Packets.Capture;

/// <summary>Streams frames from a classic pcap or pcapng file (format detected from the magic).</summary>
public abstract class CaptureReader : IDisposable
{
    public static CaptureReader Open(string path, CaptureReaderOptions? options = null) => throw new NotImplementedException();

    public abstract bool TryRead(out CaptureRecord record);

    public abstract string Name { get; }

    public abstract long Position { get; }

    public abstract long? Length { get; }

    public abstract CaptureWarnings Warnings { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>Limits applied while reading a capture.</summary>
public sealed record CaptureReaderOptions
{
    public int MaxPacketLength { get; init; } = 262_144;
}

/// <summary>Counted problems found while reading a capture that did not stop it.</summary>
public sealed class CaptureWarnings
{
    public IReadOnlyDictionary<string, long> Counts { get; } = new Dictionary<string, long>();
}
