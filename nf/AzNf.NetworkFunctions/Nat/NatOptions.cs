using System.Globalization;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Nat;

/// <summary>What the NAT does when a new flow finds no outside port (or the partition's mappings are at their limit).</summary>
public enum NatExhaustionPolicy : byte
{
    /// <summary>The flow's packets are dropped (<c>nat:exhausted</c>) until a port frees up; live mappings are never touched.</summary>
    Drop = 0,

    /// <summary>The least recently used mapping that frees what is needed is taken from its flow, whose later packets are dropped (<c>nat:mapping-reclaimed</c>).</summary>
    ReuseOldest = 1,
}

/// <summary>
/// A <c>nat</c> stage's <c>config</c>: source NAT (NAPT, RFC 3022) of the <see cref="Inside"/>
/// networks to the <see cref="Outside"/> IPv4 addresses, TCP/UDP ports and ICMP echo ids taken
/// from <see cref="FirstPort"/>..<see cref="LastPort"/> (docs/nat.md).
/// </summary>
public sealed record NatOptions
{
    /// <summary>Most outside addresses one stage takes.</summary>
    public const int MaxOutsideAddresses = 4096;

    /// <summary>Most mappings one partition may hold.</summary>
    public const int MaxMappingsLimit = 16 * 1024 * 1024;

    /// <summary>The inside networks: a flow whose first packet comes from one of them (to an address outside them) is translated.</summary>
    public required AddressSet Inside { get; init; }

    /// <summary>The outside IPv4 addresses (an inside host always gets the same one: "paired" pooling, RFC 4787 REQ-2).</summary>
    public required IReadOnlyList<NetAddress> Outside { get; init; }

    public ushort FirstPort { get; init; } = 1024;

    public ushort LastPort { get; init; } = 65535;

    public NatExhaustionPolicy OnExhausted { get; init; } = NatExhaustionPolicy.Drop;

    /// <summary>Most live mappings one partition holds (each is one translated flow); unbounded but by the flow table when not given.</summary>
    public int MaxMappings { get; init; } = MaxMappingsLimit;

    /// <summary>Whether <c>maxMappings</c> was given (a bound the durable runtime cannot keep).</summary>
    public bool MaxMappingsSet { get; init; }

    /// <summary>Most candidate ports (or reclaimable mappings) one new flow tries before the pool counts as exhausted for it.</summary>
    public int PortProbes { get; init; } = 8192;

    /// <summary>Reads <paramref name="config"/>; <paramref name="location"/> names the stage in errors; <paramref name="variables"/> are the chain's (for <c>$HOME_NET</c>).</summary>
    /// <exception cref="ConfigException">A field is unknown, missing or out of range.</exception>
    public static NatOptions Parse(JsonElement config, string location, IReadOnlyDictionary<string, string> variables)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"{location}: config", "must be a JSON object with inside and outside");
        }
        AddressSet? inside = null;
        List<NetAddress>? outside = null;
        ushort first = 1024, last = 65535;
        var policy = NatExhaustionPolicy.Drop;
        int maxMappings = MaxMappingsLimit, probes = 8192;
        bool maxMappingsSet = false;
        foreach (var property in config.EnumerateObject())
        {
            string where = $"{location}: config.{property.Name}";
            switch (property.Name)
            {
                case "inside":
                    inside = ReadInside(property.Value, where, variables);
                    break;
                case "outside":
                    outside = ReadOutside(property.Value, where);
                    break;
                case "ports":
                    (first, last) = ReadPorts(property.Value, where);
                    break;
                case "onExhausted":
                    policy = property.Value.GetRawText() switch
                    {
                        "\"drop\"" => NatExhaustionPolicy.Drop,
                        "\"reuse-oldest\"" => NatExhaustionPolicy.ReuseOldest,
                        var text => throw new ConfigException(where, $"must be \"drop\" or \"reuse-oldest\", found {text}"),
                    };
                    break;
                case "maxMappings":
                    maxMappings = ReadInteger(property.Value, where, 1, MaxMappingsLimit);
                    maxMappingsSet = true;
                    break;
                case "portProbes":
                    probes = ReadInteger(property.Value, where, 1, 65536);
                    break;
                default:
                    throw new ConfigException(where, "unknown field (known: inside, outside, ports, onExhausted, maxMappings, portProbes)");
            }
        }
        if (inside is null || outside is null)
        {
            throw new ConfigException($"{location}: config", $"needs {(inside is null ? "inside (the networks to translate)" : "outside (the addresses to translate to)")}");
        }
        foreach (var address in outside)
        {
            if (inside.Contains(address))
            {
                throw new ConfigException($"{location}: config.outside", $"{address} is inside the inside networks: replies to it could not be told from inside traffic");
            }
        }
        return new NatOptions { Inside = inside, Outside = outside, FirstPort = first, LastPort = last, OnExhausted = policy, MaxMappings = maxMappings, MaxMappingsSet = maxMappingsSet, PortProbes = probes };
    }

    private static AddressSet ReadInside(JsonElement value, string where, IReadOnlyDictionary<string, string> variables)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ConfigException(where, "must be an address expression such as \"[10.0.0.0/8,192.168.0.0/16]\" or \"$HOME_NET\"");
        }
        AddressSet set;
        try
        {
            set = new AddressPortParser(variables, AddressPortSyntax.Firewall).ParseAddresses(value.GetString()!);
        }
        catch (FormatException e)
        {
            throw new ConfigException(where, e.Message);
        }
        var v4 = set.Intersect(AddressSet.AllIPv4);
        if (v4.IsEmpty)
        {
            throw new ConfigException(where, "holds no IPv4 network (the NAT translates IPv4 only)");
        }
        return v4;
    }

    private static List<NetAddress> ReadOutside(JsonElement value, string where)
    {
        var items = value.ValueKind switch
        {
            JsonValueKind.String => [value],
            JsonValueKind.Array => value.EnumerateArray().ToList(),
            _ => throw new ConfigException(where, "must be an IPv4 address or a list of them"),
        };
        if (items.Count is 0 or > MaxOutsideAddresses)
        {
            throw new ConfigException(where, $"must hold 1 to {MaxOutsideAddresses} addresses, found {items.Count}");
        }
        var addresses = new List<NetAddress>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            string itemWhere = value.ValueKind == JsonValueKind.Array ? $"{where}[{i}]" : where;
            if (items[i].ValueKind != JsonValueKind.String || !NetAddress.TryParse(items[i].GetString()!, out var address) || !address.IsIPv4)
            {
                throw new ConfigException(itemWhere, $"must be an IPv4 address, found {items[i].GetRawText()}");
            }
            if (addresses.Contains(address))
            {
                throw new ConfigException(itemWhere, $"{address} is listed twice");
            }
            addresses.Add(address);
        }
        return addresses;
    }

    private static (ushort First, ushort Last) ReadPorts(JsonElement value, string where)
    {
        string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        string[] parts = text.Split('-');
        if (parts.Length == 2
            && ushort.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort first)
            && ushort.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ushort last)
            && first >= 1 && first <= last)
        {
            return (first, last);
        }
        throw new ConfigException(where, $"must be a port range \"FIRST-LAST\" within 1-65535, found {value.GetRawText()}");
    }

    private static int ReadInteger(JsonElement value, string where, int min, int max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max)
        {
            return number;
        }
        throw new ConfigException(where, string.Create(CultureInfo.InvariantCulture, $"must be an integer from {min} to {max}, found {value.GetRawText()}"));
    }
}
