using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions;

/// <summary>One IDS alert, in the report's terms (<c>packetIndex</c> is 1-based capture order); <see cref="Stage"/> names the IDS stage that raised it.</summary>
public sealed record Alert(
    int Sid,
    int Rev,
    string Msg,
    string Action,
    byte Protocol,
    NetAddress Source,
    ushort SourcePort,
    NetAddress Destination,
    ushort DestinationPort,
    long PacketIndex,
    string? Classtype,
    string Stage,
    int? Priority = null,
    string? Category = null,
    IReadOnlyDictionary<string, string[]>? Metadata = null);

/// <summary>A partition's alerts in the order raised. Alerts are rare, so a list is enough.</summary>
public sealed class AlertLog
{
    private readonly List<Alert> _alerts = [];

    public IReadOnlyList<Alert> Alerts => _alerts;

    public void Add(Alert alert) => _alerts.Add(alert);

    /// <summary>Forgets the alerts (a durable step copied out its own; the partition is reused).</summary>
    public void Clear() => _alerts.Clear();
}
