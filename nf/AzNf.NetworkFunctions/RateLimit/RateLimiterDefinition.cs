using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.RateLimit;

/// <summary>A <c>ratelimit</c> stage: its limits, read once; each partition gets its own buckets.</summary>
public sealed class RateLimiterDefinition(string name, RateLimitOptions options) : INetworkFunctionDefinition
{
    public string Name { get; } = name;

    public string Kind => "ratelimit";

    public RateLimitOptions Options { get; } = options;

    public IReadOnlyDictionary<string, long> Counters { get; } = new Dictionary<string, long>
    {
        ["addresses:max-per-partition"] = options.MaxAddresses,
    };

    /// <summary>Its buckets are kept per (partition, flow shard) slice, which the durable runtime stores with the shard's flows (docs/ratelimit.md).</summary>
    public bool KeepsSliceState => true;

    public static RateLimiterDefinition Load(StageSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Rules is not null)
        {
            throw new ConfigException(setup.Location, "a ratelimit stage takes no rules file");
        }
        return new RateLimiterDefinition(setup.Name, RateLimitOptions.Parse(setup.Config, setup.Location));
    }

    public INetworkFunction CreateInstance(PartitionResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return new RateLimiter(Options, resources.PartitionCount, resources.FlowShards);
    }
}
