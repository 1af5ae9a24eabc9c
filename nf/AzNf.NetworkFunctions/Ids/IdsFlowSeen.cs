namespace AzNf.NetworkFunctions.Ids;

/// <summary>Which directions of a flow have carried a packet, and (TCP) a FIN.</summary>
[Flags]
public enum IdsFlowSeen : byte
{
    None = 0,
    ToServer = 1,
    ToClient = 2,
    BothWays = ToServer | ToClient,
    FinToServer = 4,
    FinToClient = 8,
}
