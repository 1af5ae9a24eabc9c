namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// Where a run's events go as they happen, beside the report (EVE JSON, the forwarded and
/// dropped captures, metrics): one <see cref="IPartitionOutput"/> per partition.
/// </summary>
public interface IChainOutput
{
    /// <summary>
    /// The output of <paramref name="partition"/>, called once as the partition is built (its
    /// counters are there to read, from its own thread, in <see cref="IPartitionOutput.Flush"/>).
    /// </summary>
    IPartitionOutput ForPartition(ChainPartition partition);
}

/// <summary>
/// One partition's events, called on that partition's thread only, so an implementation
/// buffers without locks and hands its buffer on in <see cref="Flush"/>.
/// </summary>
public interface IPartitionOutput
{
    /// <summary>An IDS raised <paramref name="alert"/>.</summary>
    void Alert(Alert alert);

    /// <summary>A flow left the table (its record, whether or not the report keeps it).</summary>
    void FlowEnded(FlowRecord flow);

    /// <summary>Stage <paramref name="stage"/> dropped <paramref name="packet"/> for <paramref name="reason"/>.</summary>
    void Dropped(in PacketContext packet, string stage, string reason);

    /// <summary>
    /// Stage <paramref name="stage"/> answered <paramref name="packet"/> with the frame
    /// <paramref name="response"/> (a reject's TCP reset or ICMP error; valid during the call only).
    /// </summary>
    void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response);

    /// <summary>
    /// A stage changed <paramref name="packet"/> (a NAT's translation) and the chain forwarded it:
    /// <see cref="PacketContext.Frame"/> holds the bytes as they leave (valid during the call only).
    /// </summary>
    void Rewritten(in PacketContext packet);

    /// <summary>A batch of <paramref name="packets"/> packets took <paramref name="elapsed"/> (before its <see cref="Flush"/>).</summary>
    void BatchEnded(int packets, TimeSpan elapsed);

    /// <summary>After a batch and at the end of input: what is buffered goes out.</summary>
    void Flush();
}
