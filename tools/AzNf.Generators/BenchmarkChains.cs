using System.Globalization;
using System.Text;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Generators;

/// <summary>
/// The chains that <c>aznf bench</c> and the BenchmarkDotNet suite measure, with their rule
/// files generated into a folder: a firewall with <c>n</c> rules (the allowing rule last, so
/// a new connection walks all of them) and an IDS with <c>n</c> content rules whose literals
/// the benchmark payloads almost never contain (the common case in production).
/// </summary>
public static class BenchmarkChains
{
    public static readonly string[] Names = ["counter", "firewall-100", "ratelimit", "nat", "ids-10", "ids-100", "ids-1000", "full", "edge"];

    // Every bucket kind on, at rates the benchmark traffic stays under: the cost of the lookups and refills.
    private const string RateLimit = """{ "name": "guard", "type": "ratelimit", "config": { "bySource": { "packetsPerSecond": 1e9, "bitsPerSecond": 1e12, "synPerSecond": 1e9 }, "byDestination": { "packetsPerSecond": 1e9, "synPerSecond": 1e9 } } }""";

    // The benchmark's clients (192.168/16) translated to four addresses: every packet is rewritten.
    private const string Nat = """{ "name": "nat", "type": "nat", "config": { "inside": "192.168.0.0/16", "outside": ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"], "maxMappings": 1048576 } }""";

    /// <summary>
    /// Writes the chain named <paramref name="name"/> (<c>bench-NAME.json</c>) and its rule files
    /// into <paramref name="folder"/> and loads it.
    /// </summary>
    public static ChainDefinition Create(string name, string folder, int flowCapacity = 262_144)
    {
        Directory.CreateDirectory(folder);
        string counter = """{ "name": "counter", "type": "counter" }""";
        string firewall = $$"""{ "name": "firewall", "type": "firewall", "rules": "{{WriteFirewallRules(folder, 100)}}" }""";
        string Ids(int rules) => $$"""{ "name": "ids", "type": "ids", "rules": "{{WriteIdsRules(folder, rules)}}" }""";
        string stages = name switch
        {
            "counter" => counter,
            "firewall-100" => firewall,
            "ratelimit" => RateLimit,
            "nat" => Nat,
            "ids-10" => Ids(10),
            "ids-100" => Ids(100),
            "ids-1000" => Ids(1000),
            "full" => $"{counter}, {firewall}, {Ids(1000)}",
            // The sample edge's shape: the full chain with the guard before the firewall and the NAT after it.
            "edge" => $"{counter}, {RateLimit}, {firewall}, {Nat}, {Ids(1000)}",
            _ => throw new ArgumentException($"unknown benchmark chain '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
        };
        string json = $$"""
            { "name": "{{name}}",
              "variables": { "HOME_NET": "[10.0.0.0/8]", "EXTERNAL_NET": "any" },
              "flowTable": { "capacity": {{flowCapacity}} },
              "stages": [ {{stages}} ] }
            """;
        string path = Path.Combine(folder, $"bench-{name}.json");
        File.WriteAllText(path, json);
        return ChainDefinition.Load(path);
    }

    private static string WriteFirewallRules(string folder, int count)
    {
        var text = new StringBuilder("# generated: ").Append(count).AppendLine(" rules, the allowing ones last");
        for (int i = 0; i < count - 2; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"deny tcp from 172.{16 + (i % 16)}.{i / 16}.0/24 to any port {1000 + i}\n");
        }
        text.AppendLine("allow tcp from any to 10.0.0.0/8 port 80 state new,established");
        text.AppendLine("allow tcp from 10.0.0.0/8 port 80 to any state established");
        string path = Path.Combine(folder, $"firewall-{count}.rules");
        File.WriteAllText(path, text.ToString());
        return Path.GetFileName(path);
    }

    private static string WriteIdsRules(string folder, int count)
    {
        var random = new Random(count);
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            var literal = new char[random.Next(8, 17)];
            for (int c = 0; c < literal.Length; c++)
            {
                literal[c] = (char)random.Next('a', 'z' + 1);
            }
            string nocase = i % 4 == 0 ? " nocase;" : "";
            text.Append(CultureInfo.InvariantCulture,
                $"alert tcp any any -> $HOME_NET any (msg:\"bench {i}\"; flow:established; content:\"{new string(literal)}\";{nocase} sid:{2_000_000 + i}; rev:1;)\n");
        }
        string path = Path.Combine(folder, $"ids-{count}.rules");
        File.WriteAllText(path, text.ToString());
        return Path.GetFileName(path);
    }
}
