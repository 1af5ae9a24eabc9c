namespace AzNf.NetworkFunctions.Ids;

/// <summary>An action that a rule applied to the rest of a flow.</summary>
public enum IdsFlowVerdict : byte
{
    None = 0,
    /// <summary>No more inspection: every later packet is forwarded.</summary>
    Pass = 1,
    /// <summary>No more inspection: every later packet is dropped.</summary>
    Drop = 2,
}
