namespace AzNf.NetworkFunctions.Firewall;

/// <summary>The firewall's per-flow connection tracking state.</summary>
public struct ConntrackFlowState
{
    public byte State;
}
