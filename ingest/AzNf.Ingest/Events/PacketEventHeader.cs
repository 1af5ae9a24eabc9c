using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Events;

/// <summary>The fixed 16-byte header of a packet event body.</summary>
public readonly record struct PacketEventHeader(byte Version, byte Flags, LinkType LinkType, int PacketCount, long BaseTimestampNanos);
