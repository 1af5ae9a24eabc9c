using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Models;

/// <summary>One packet of a unit of work.</summary>
/// <param name="SequenceNumber">The event's sequence number in its partition.</param>
/// <param name="PositionInEvent">The packet's place inside its event (an event may carry several).</param>
/// <param name="CaptureIndex">1-based position in the capture when known (alerts and flow records report it), else any increasing number.</param>
/// <param name="LinkType">How <paramref name="Frame"/> starts.</param>
/// <param name="TimestampNanos">Capture time, nanoseconds since the Unix epoch.</param>
/// <param name="WireLength">The frame's length on the wire.</param>
/// <param name="Frame">The captured bytes.</param>
public sealed record WorkPacket(
    long SequenceNumber,
    int PositionInEvent,
    long CaptureIndex,
    LinkType LinkType,
    long TimestampNanos,
    int WireLength,
    byte[] Frame);
