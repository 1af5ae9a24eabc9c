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
        ["mappings:max-per-partition"] = options.MaxMappings,
    };

    /// <summary>
    /// A mapping's reply tuple is registered in the partition's flow table, which the durable
    /// runtime's shards do not carry between units yet (docs/nat.md).
    /// </summary>
    public bool RunsOnDurable => false;

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
        return new SourceNat(Options, flows, resources.Partition, resources.PartitionCount);
    }
}
