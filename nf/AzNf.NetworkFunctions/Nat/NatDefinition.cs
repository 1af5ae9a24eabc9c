using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Nat;

/// <summary>A <c>nat</c> stage: its networks, addresses and ports, read once; each partition translates with its own share of the ports.</summary>
public sealed class NatDefinition(string name, NatOptions options) : INetworkFunctionDefinition
{
    public const string KindName = "nat";

    public string Name { get; } = name;

    public string Kind => KindName;

    public NatOptions Options { get; } = options;

    public IReadOnlyDictionary<string, long> Counters { get; } = new Dictionary<string, long>
    {
        ["outside:addresses"] = options.Outside.Count,
        ["outside:ports"] = options.LastPort - options.FirstPort + 1,
        ["mappings:max-per-partition"] = options.MaxMappingsSet ? options.MaxMappings : 0,
    };

    /// <summary>
    /// Ports are chosen per (partition, flow shard) slice, so the durable runtime's shard steps
    /// give the embedded answers — except for the partition-wide bounds: <c>maxMappings</c> and
    /// <c>reuse-oldest</c> look at every mapping of the partition, which no shard step holds
    /// (docs/nat.md).
    /// </summary>
    public bool RunsOnDurable => Options.OnExhausted == NatExhaustionPolicy.Drop && !Options.MaxMappingsSet;

    /// <summary>A reply tuple is taken so that it falls into its flow's (partition, shard): the chain's flow shards decide the ports.</summary>
    public bool KeepsSliceState => true;

    public bool RewritesPackets => true;

    public static NatDefinition Load(StageSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Rules is not null)
        {
            throw new ConfigException(setup.Location, "a nat stage takes no rules file");
        }
        return new NatDefinition(setup.Name, NatOptions.Parse(setup.Config, setup.Location, setup.Variables));
    }

    public INetworkFunction CreateInstance(PartitionResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var flows = resources.Flows ?? throw new InvalidOperationException("a nat stage needs the partition's flow table");
        return new SourceNat(Options, flows, resources.Partition, resources.PartitionCount, resources.FlowShards);
    }
}
