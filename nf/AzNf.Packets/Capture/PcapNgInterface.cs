using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// What a pcapng Interface Description Block declares: link type, snap length and how to turn
/// the interface's timestamp units into nanoseconds since the Unix epoch.
/// </summary>
/// <param name="LinkType">The interface's link type.</param>
/// <param name="SnapLength">Largest captured length; 0 means no limit (RFC draft-ietf-opsawg-pcapng §4.2).</param>
/// <param name="Multiplier">Nanoseconds per timestamp unit, for decimal resolutions of 1 ns or coarser.</param>
/// <param name="Divisor">Timestamp units per nanosecond, for decimal resolutions finer than 1 ns.</param>
/// <param name="BinaryShift">When non-negative, the resolution is 2^-BinaryShift seconds (if_tsresol with its top bit set).</param>
/// <param name="OffsetNanos">if_tsoffset in nanoseconds, added to every timestamp.</param>
/// <param name="IsUsable">False when the block was too damaged to describe an interface.</param>
internal readonly record struct PcapNgInterface(
    LinkType LinkType, uint SnapLength, long Multiplier, long Divisor, int BinaryShift, long OffsetNanos, bool IsUsable)
{
    /// <summary>Microsecond resolution, the default when if_tsresol is absent.</summary>
    public static PcapNgInterface Default(LinkType linkType, uint snapLength) =>
        new(linkType, snapLength, 1000, 1, -1, 0, true);

    public static PcapNgInterface Unusable { get; } = new(default, 0, 1000, 1, -1, 0, false);

    public long ToNanos(ulong units)
    {
        long nanos = BinaryShift >= 0
            ? (long)(((UInt128)units * 1_000_000_000UL) >> BinaryShift)
            : unchecked((long)(units * (ulong)Multiplier / (ulong)Divisor));
        return unchecked(nanos + OffsetNanos);
    }
}
