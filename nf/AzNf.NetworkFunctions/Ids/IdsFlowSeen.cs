namespace AzNf.NetworkFunctions.Ids;

/// <summary>Which directions of a flow have carried a packet.</summary>
[Flags]
public enum IdsFlowSeen : byte
{
    None = 0,
    ToServer = 1,
    ToClient = 2,
}
