using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions;

/// <summary>
/// One IDS alert, in the report's terms (<c>packetIndex</c> is 1-based capture order);
/// <see cref="Stage"/> names the IDS stage that raised it, <see cref="FlowId"/> the flow of the
/// packet (<see cref="Chain.FlowId"/>), <see cref="TimestampNanos"/> the packet's capture time;
/// <see cref="AppProto"/> (<c>http</c>, <c>tls</c>, <c>dns</c>) and <see cref="Http"/> say which
/// app-layer transaction a rule on app-layer buffers matched in (null for a packet or stream match);
/// <see cref="References"/> the rule's references as links (with a reference file only).
/// </summary>
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
    IReadOnlyDictionary<string, string[]>? Metadata = null,
    long TimestampNanos = 0,
    long FlowId = 0,
    string? AppProto = null,
    AlertHttp? Http = null,
    IReadOnlyList<string>? References = null);

/// <summary>
/// A partition's alerts in the order raised (alerts are rare, so a list is enough), each also
/// handed to the partition's output when it has one.
/// </summary>
public sealed class AlertLog
{
    private readonly List<Alert> _alerts = [];

    /// <summary>Where each alert also goes as it is raised (the partition's output), or null.</summary>
    public IPartitionOutput? Output { get; set; }

    public IReadOnlyList<Alert> Alerts => _alerts;

    /// <summary>Alerts raised so far (safe to read from another thread as a moment's count).</summary>
    public int Count => Volatile.Read(ref _count);

    private int _count;

    public void Add(Alert alert)
    {
        _alerts.Add(alert);
        Volatile.Write(ref _count, _count + 1);
        Output?.Alert(alert);
    }

    /// <summary>Forgets the alerts (a durable step copied out its own; the partition is reused).</summary>
    public void Clear()
    {
        _alerts.Clear();
        Volatile.Write(ref _count, 0);
    }
}
