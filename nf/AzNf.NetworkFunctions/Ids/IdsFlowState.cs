namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The IDS's per-flow state: 36 bytes, plain data. The reassembly window lives in the
/// partition's <see cref="TcpStreamPool"/> (<see cref="StreamSlot"/> points at it, 0 = none yet),
/// the HTTP app layer in its <see cref="AppLayer.AppLayerSessionPool"/> (<see cref="AppLayerSlot"/>).
/// </summary>
public struct IdsFlowState
{
    /// <summary>1 + index of the flow's stream slot in the partition pool; 0 when it has none.</summary>
    public int StreamSlot;
    /// <summary>Next expected TCP sequence number from the originator (to_server).</summary>
    public uint NextSequenceToServer;
    /// <summary>Next expected TCP sequence number from the responder (to_client).</summary>
    public uint NextSequenceToClient;
    /// <summary>The originator's initial sequence number (its SYN), for <c>stream_size</c>.</summary>
    public uint InitialSequenceToServer;
    /// <summary>The responder's initial sequence number (its SYN-ACK), for <c>stream_size</c>.</summary>
    public uint InitialSequenceToClient;
    /// <summary>The IDS's own view of the TCP handshake, for <c>flow:established</c>.</summary>
    public IdsTcpStage Stage;
    /// <summary>Which directions have carried a packet; decides <c>established</c> for UDP/ICMP.</summary>
    public IdsFlowSeen Seen;
    /// <summary>
    /// A pass or drop rule decided for the whole flow (matched on stream data, or a rule with
    /// nothing but a header), as Suricata 7 applies such actions to the flow.
    /// </summary>
    public IdsFlowVerdict FlowVerdict;
    /// <summary>The application protocol the app layer found (for the flow record), once known; fills the byte before <see cref="VerdictRule"/>.</summary>
    public IdsAppProto AppProto;
    /// <summary>With <see cref="IdsFlowVerdict.Drop"/>: the index of the drop rule, for its reason.</summary>
    public int VerdictRule;
    /// <summary>1 + index of the flow's app-layer session (HTTP, TLS, DNS over TCP); 0 when it has none yet; -1 when nothing more is parsed.</summary>
    public int AppLayerSlot;
    /// <summary>1 + index of the flow's flowbits in the partition's <see cref="FlowBitsPool"/>; 0 when no bit was ever set.</summary>
    public int FlowBitsSlot;
}

/// <summary>What the IDS's app layer found a flow to carry, as EVE's <c>app_proto</c> names it.</summary>
public enum IdsAppProto : byte
{
    /// <summary>Not looked at (no app-layer rules), or no client bytes yet.</summary>
    Unknown,
    Http,
    Tls,
    Dns,
    /// <summary>Client bytes that are none of the parsed protocols.</summary>
    Failed,
}
