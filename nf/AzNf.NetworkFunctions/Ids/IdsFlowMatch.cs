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
}
