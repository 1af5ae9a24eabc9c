namespace AzNf.NetworkFunctions.Ids;

/// <summary>The <c>flow</c> keyword's conditions, as bits (all given bits must hold).</summary>
[Flags]
public enum IdsFlowMatch : byte
{
    None = 0,
    ToServer = 1,
    ToClient = 2,
    Established = 4,
    NotEstablished = 8,
    /// <summary>Match on reassembled stream data only, never on a packet's own payload.</summary>
    OnlyStream = 16,
    /// <summary>Match on packets only, never on reassembled stream data.</summary>
    NoStream = 32,
}
