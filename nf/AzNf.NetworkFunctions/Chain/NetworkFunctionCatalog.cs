using AzNf.NetworkFunctions.Counter;
using AzNf.NetworkFunctions.Firewall;
using AzNf.NetworkFunctions.Ids;
using AzNf.NetworkFunctions.Nat;
using AzNf.NetworkFunctions.RateLimit;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>The NF types a chain file may name, each with the loader of its definition.</summary>
public static class NetworkFunctionCatalog
{
    private static readonly Dictionary<string, Func<StageSetup, INetworkFunctionDefinition>> Loaders = new(StringComparer.Ordinal)
    {
        ["counter"] = PacketCounterDefinition.Load,
        ["firewall"] = FirewallDefinition.Load,
        ["ids"] = IdsDefinition.Load,
        ["ratelimit"] = RateLimiterDefinition.Load,
        [NatDefinition.KindName] = NatDefinition.Load,
    };

    public static IReadOnlyCollection<string> Kinds => Loaders.Keys;

    public static bool TryGetLoader(string kind, out Func<StageSetup, INetworkFunctionDefinition> loader) =>
        Loaders.TryGetValue(kind, out loader!);
}
