using System.Buffers;

namespace AzNf.NetworkFunctions;

/// <summary>
/// A network function configured once from its chain stage (rules parsed, automata built) and
/// shared read-only by every partition, which each get their own <see cref="INetworkFunction"/>.
/// </summary>
public interface INetworkFunctionDefinition
{
    /// <summary>The stage name from the chain file, unique in its chain.</summary>
    string Name { get; }

    /// <summary>The NF type: <c>counter</c>, <c>firewall</c>, <c>ids</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Facts about the loaded stage (e.g. <c>rules:loaded</c>, <c>rules:rejected</c>,
    /// <c>blocklist:entries</c>): the report shows them once per stage, never summed over
    /// partitions or units of work as instance counters are.
    /// </summary>
    IReadOnlyDictionary<string, long> Counters { get; }

    /// <summary>A fresh per-partition instance with its own partition-local shared state.</summary>
    INetworkFunction CreateInstance(PartitionResources resources);

    /// <summary>
    /// Whether the durable runtime can run this stage with the answers of the embedded one: false
    /// for a stage whose decisions depend on partition-local state the durable path does not carry
    /// between units (it refuses such a chain at start, naming the stage).
    /// </summary>
    bool RunsOnDurable => true;

    /// <summary>
    /// Whether the stage changes packets (<see cref="PacketContext.Writable"/>): the engine then
    /// copies each frame once before the chain runs; a chain without such a stage never copies.
    /// </summary>
    bool RewritesPackets => false;

    /// <summary>
    /// Whether the stage keeps state shared by many flows per (partition, flow shard) slice
    /// (<see cref="INetworkFunction.SliceFormat"/>): the durable runtime then stores each slice with
    /// its shard's flows, and the run's answers depend on the chain's <c>flowShards</c>.
    /// </summary>
    bool KeepsSliceState => false;
}

/// <summary>What the engine hands each partition's NF instances.</summary>
public sealed class PartitionResources(int partition, AlertLog alerts, int partitionCount = 1)
{
    /// <summary>The chain's flow shards: a stage that keeps slice state keeps one slice per shard.</summary>
    public int FlowShards { get; init; } = 1;

    public int Partition { get; } = partition;
    public AlertLog Alerts { get; } = alerts;

    /// <summary>The run's partition count (a stage that shares a limit among partitions divides by it).</summary>
    public int PartitionCount { get; } = partitionCount;

    /// <summary>
    /// The partition's flow table, for a stage that gives flows a second key (a NAT's translated
    /// reply tuple, <see cref="Chain.FlowTable.AddAlias"/>); null where a stage runs without one.
    /// </summary>
    public Chain.FlowTable? Flows { get; init; }
}

/// <summary>
/// A network function element (Click-like): one packet in, a verdict out. Its per-flow state is
/// its own, kept by the instance and addressed by the flow's slot in the partition's flow table
/// (<see cref="NetworkFunction{TFlow}"/> keeps it in a column); shared state (many flows) is the
/// instance's too and is merged across partitions by <see cref="ReportCounters"/>. Never throws
/// on packet data: bad input is a verdict or a counted error.
/// </summary>
public interface INetworkFunction
{
    /// <summary>
    /// Handles one packet of the flow in slot <paramref name="flow"/>, or of
    /// <see cref="FlowSlot.Scratch"/> for an unparsed packet or one whose flow is gone (a state
    /// started for that packet and ended after it).
    /// </summary>
    Verdict Process(ref PacketContext packet, int flow);

    /// <summary>Gives slot <paramref name="flow"/> a fresh state: a new flow (or the scratch flow) starts there.</summary>
    void StartFlow(int flow);

    /// <summary>
    /// The flow in slot <paramref name="flow"/> leaves the table (closed, expired, evicted, end of
    /// run, or moved into a snapshot): release what it holds; the slot may be reused next.
    /// </summary>
    void EndFlow(int flow);

    /// <summary>
    /// The application protocol this NF found on the flow in slot <paramref name="flow"/>, as
    /// Suricata names it in EVE (<c>http</c>, <c>tls</c>, <c>dns</c>, <c>failed</c>), or null
    /// when it does not look (asked as the flow ends, before <see cref="EndFlow"/>).
    /// </summary>
    string? AppProtocol(int flow) => null;

    /// <summary>
    /// The format of this NF's section of a flow snapshot; 0 when it keeps nothing per flow (no
    /// section is written).
    /// </summary>
    byte FlowFormat { get; }

    /// <summary>Writes the state of slot <paramref name="flow"/> as this NF's snapshot section.</summary>
    void WriteFlow(int flow, IBufferWriter<byte> into);

    /// <summary>
    /// Puts a snapshot section into slot <paramref name="flow"/> (started already).
    /// <paramref name="rulesChanged"/>: the snapshot was made under other rules, so decisions that
    /// name rules must be dropped and taken again.
    /// </summary>
    /// <exception cref="InvalidDataException">The section is not one this build reads.</exception>
    void ReadFlow(int flow, byte format, ReadOnlySpan<byte> section, bool rulesChanged);

    /// <summary>Packets this NF could not handle as it should (e.g. a regex timeout).</summary>
    long Errors { get; }

    /// <summary>
    /// The format of this NF's slice state — state shared by the flows of one (partition, flow
    /// shard) slice, such as a rate limiter's buckets — or 0 when it keeps none. The packet's
    /// slice is <see cref="PacketContext.Shard"/> within the instance's partition.
    /// </summary>
    byte SliceFormat => 0;

    /// <summary>Writes slice <paramref name="shard"/>'s state (the durable runtime stores it with the shard's flows).</summary>
    void WriteSlice(int shard, IBufferWriter<byte> into)
    {
    }

    /// <summary>Replaces slice <paramref name="shard"/>'s state with <paramref name="section"/> (empty: a slice never seen, started fresh).</summary>
    /// <exception cref="InvalidDataException">The section is not one this build reads.</exception>
    void ReadSlice(int shard, byte format, ReadOnlySpan<byte> section)
    {
    }

    /// <summary>Adds this instance's own counters (name → value) to <paramref name="into"/>.</summary>
    void ReportCounters(IDictionary<string, long> into);
}

/// <summary>Flow slots with a meaning of their own.</summary>
public static class FlowSlot
{
    /// <summary>The state of a packet that belongs to no flow in the table; started before the packet and ended after it.</summary>
    public const int Scratch = -1;
}
