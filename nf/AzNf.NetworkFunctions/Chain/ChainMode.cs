namespace AzNf.NetworkFunctions.Chain;

/// <summary>How the durable path runs a chain's stages: all in one step, or one step per stage.</summary>
public enum ChainMode : byte
{
    Fused = 0,
    Staged = 1,
}
