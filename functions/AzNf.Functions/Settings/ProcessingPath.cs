namespace AzNf.Functions.Settings;

/// <summary>Which handler runs the partition batches the ingestion service reads.</summary>
public enum ProcessingPath
{
    /// <summary>NfChain orchestrations and flow entities: state survives any instance.</summary>
    Durable,

    /// <summary>The fused chain in process, flow tables in memory: fastest, state lost with the instance.</summary>
    Fast,
}
