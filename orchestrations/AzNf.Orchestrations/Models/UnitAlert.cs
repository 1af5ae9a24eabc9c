namespace AzNf.Orchestrations.Models;

/// <summary>An IDS alert raised by a unit's packet (<paramref name="PacketIndex"/> is the packet's capture index).</summary>
public sealed record UnitAlert(
    int Sid,
    int Rev,
    string Msg,
    string Action,
    byte Protocol,
    string Source,
    ushort SourcePort,
    string Destination,
    ushort DestinationPort,
    long PacketIndex,
    string? Classtype);
