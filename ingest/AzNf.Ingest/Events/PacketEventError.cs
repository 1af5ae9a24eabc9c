namespace AzNf.Ingest.Events;

/// <summary>
/// Why an event was not accepted as a packet event. A rejected event is counted, written to the
/// dead-letter table and skipped; the events around it are handled as usual.
/// </summary>
public enum PacketEventError : byte
{
    None = 0,
    /// <summary>The body is shorter than the 16-byte header.</summary>
    TooShort,
    /// <summary>The body does not start with "NF".</summary>
    BadMagic,
    /// <summary>A version this build does not read.</summary>
    UnsupportedVersion,
    /// <summary>Flag bits this version does not define.</summary>
    UnknownFlags,
    /// <summary>The header says zero packets.</summary>
    NoPackets,
    /// <summary>More than <see cref="PacketEventFormat.MaxPacketsPerEvent"/> packets.</summary>
    TooManyPackets,
    /// <summary>The body ends inside a packet record's 12-byte header.</summary>
    RecordTruncated,
    /// <summary>The body ends inside a packet's captured bytes.</summary>
    FrameTruncated,
    /// <summary>A captured length above <see cref="PacketEventFormat.MaxFrameLength"/>.</summary>
    FrameTooLong,
    /// <summary>A captured length larger than the packet's wire length.</summary>
    CapturedLongerThanWire,
    /// <summary>A wire length above 2^31 - 1.</summary>
    WireTooLong,
    /// <summary>Bytes after the last packet record.</summary>
    TrailingBytes,
    /// <summary>A required application property is absent or of the wrong type.</summary>
    MissingProperty,
    /// <summary>An egress event whose origin indexes are not a byte array of one increasing 64-bit number per packet.</summary>
    BadOrigin,
}

/// <summary>Stable kebab-case names for <see cref="PacketEventError"/>, used in counters and the dead-letter table.</summary>
public static class PacketEventErrors
{
    private static readonly string[] Names =
    [
        "none",
        "too-short",
        "bad-magic",
        "unsupported-version",
        "unknown-flags",
        "no-packets",
        "too-many-packets",
        "record-truncated",
        "frame-truncated",
        "frame-too-long",
        "captured-longer-than-wire",
        "wire-too-long",
        "trailing-bytes",
        "missing-property",
        "bad-origin",
    ];

    /// <summary>Number of reasons, for counter arrays indexed by reason.</summary>
    public static int Count => Names.Length;

    public static string Name(PacketEventError error) => Names[(int)error];
}
