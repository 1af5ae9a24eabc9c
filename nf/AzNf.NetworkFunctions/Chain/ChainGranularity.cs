namespace AzNf.NetworkFunctions.Chain;

/// <summary>What one durable unit of work holds.</summary>
public enum ChainGranularity : byte
{
    /// <summary>One packet per unit (kept to measure how costly it is).</summary>
    Packet = 0,

    /// <summary>One unit per flow: the handler holds a flow's packets across batches until the flow ends.</summary>
    Flow = 1,

    /// <summary>One unit per flow per partition batch: the flow's packets in that batch.</summary>
    Flowlet = 2,

    /// <summary>One unit per partition batch, its packets claim-checked and its flows run by their flow shards (the default).</summary>
    Batch = 3,
}
