namespace AzNf.Orchestrations.Batches;

/// <summary>
/// Where one flow shard's packets of a batch sit in the batch blob, and how to know them: the
/// claim check that travels through histories instead of the packets.
/// </summary>
/// <param name="Shard">The flow shard (<see cref="FlowShards.ShardOf(string, int)"/>) whose flows these packets belong to.</param>
/// <param name="Offset">First byte of the slice in the blob.</param>
/// <param name="Length">Bytes of the slice.</param>
/// <param name="Packets">Packets in the slice.</param>
/// <param name="Bytes">Their wire bytes.</param>
/// <param name="Sha256">The slice's SHA-256, lower-case hex.</param>
public sealed record SliceRef(int Shard, long Offset, int Length, int Packets, long Bytes, string Sha256);
