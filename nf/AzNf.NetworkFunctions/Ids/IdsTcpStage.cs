namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// How far the IDS has seen a TCP handshake. Like Suricata, a flow counts as established from
/// the ACK that completes the three-way handshake and stays so through FIN/RST; a flow picked
/// up mid-stream never does (Suricata's default <c>stream.midstream: false</c>).
/// </summary>
public enum IdsTcpStage : byte
{
    None = 0,
    SynSent = 1,
    SynAckSeen = 2,
    Established = 3,
}
