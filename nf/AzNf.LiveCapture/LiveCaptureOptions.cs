namespace AzNf.LiveCapture;

/// <summary>What to capture and for how long.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>The interface name (<c>lo</c>, <c>eth0</c>, …).</summary>
    public required string Interface { get; init; }

    /// <summary>A BPF filter (tcpdump syntax), or null for every packet.</summary>
    public string? Filter { get; init; }

    /// <summary>Stop after this long; null: until stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Also write every captured packet to this pcap file (nanosecond timestamps).</summary>
    public string? WritePath { get; init; }

    /// <summary>Bytes kept per packet (libpcap's snap length).</summary>
    public int SnapLength { get; init; } = 262_144;

    /// <summary>Capture frames not addressed to this host too.</summary>
    public bool Promiscuous { get; init; }

    /// <summary>How long libpcap waits before handing over what it has (bounds how late a quiet link's packets arrive).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
}
