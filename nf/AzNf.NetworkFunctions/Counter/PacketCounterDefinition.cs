using System.Text.Json;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Counter;

/// <summary>The packet counter's definition: it has no configuration.</summary>
public sealed class PacketCounterDefinition(string name) : INetworkFunctionDefinition
{
    public string Name { get; } = name;

    public string Kind => "counter";

    public IReadOnlyDictionary<string, long> Counters { get; } = new Dictionary<string, long>();

    public static PacketCounterDefinition Load(StageSetup setup)
    {
        if (setup.Config.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            foreach (var property in setup.Config.EnumerateObject())
            {
                throw new ConfigException($"{setup.Location}.config.{property.Name}", "the counter takes no configuration");
            }
        }
        return new PacketCounterDefinition(setup.Name);
    }

    public INetworkFunction CreateInstance(PartitionResources resources) => new PacketCounter();
}
