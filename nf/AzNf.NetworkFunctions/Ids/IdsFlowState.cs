namespace AzNf.NetworkFunctions.Ids;

/// <summary>The IDS's per-flow state.</summary>
public struct IdsFlowState
{
    public int StreamSlot;
}
