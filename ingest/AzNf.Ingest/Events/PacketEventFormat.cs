namespace AzNf.Ingest.Events;

/// <summary>
/// The one place that knows the packet event body (docs/events.md has the byte-by-byte layout).
/// A body is a fixed header followed by one record per packet; every number is little-endian,
/// the byte order of every host that runs AzNf, so encoding is a plain store.
/// </summary>
/// <remarks>
/// Header (16 bytes): magic "NF" · version · flags · link type (u16) · packet count (u16) ·
/// base timestamp (i64, ns since the Unix epoch). Record (12 bytes + frame): timestamp delta
/// from the base (u32, ns) · wire length (u32) · captured length (u32) · the captured bytes.
/// A flowlet's packets share one link type and span at most <see cref="MaxTimestampDelta"/>.
/// </remarks>
public static class PacketEventFormat
{
    /// <summary>The bytes "NF" read as a little-endian u16.</summary>
    public const ushort Magic = 'N' | ('F' << 8);

    /// <summary>The only body version this build writes and reads.</summary>
    public const byte Version = 1;

    public const int HeaderLength = 16;
    public const int RecordHeaderLength = 12;

    /// <summary>Most packets one event carries (a flowlet of up to this many).</summary>
    public const int MaxPacketsPerEvent = 1024;

    /// <summary>Largest captured frame an event carries (libpcap's snapshot limit).</summary>
    public const int MaxFrameLength = 262_144;

    /// <summary>The widest time span of one flowlet: a u32 of nanoseconds (about 4.29 s).</summary>
    public const long MaxTimestampDelta = uint.MaxValue;

    internal const int MagicOffset = 0;
    internal const int VersionOffset = 2;
    internal const int FlagsOffset = 3;
    internal const int LinkTypeOffset = 4;
    internal const int CountOffset = 6;
    internal const int BaseTimestampOffset = 8;

    internal const int DeltaOffset = 0;
    internal const int WireLengthOffset = 4;
    internal const int CapturedLengthOffset = 8;

    /// <summary>Body bytes an event of <paramref name="packets"/> packets adds on top of their frames.</summary>
    public static int Overhead(int packets) => HeaderLength + (packets * RecordHeaderLength);
}
