using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.TestOracles;

/// <summary>A Suricata flow record: <c>Source</c> is the side Suricata calls the client.</summary>
public sealed record SuricataFlow(string Proto, NetAddress Source, ushort SourcePort, NetAddress Destination, ushort DestinationPort,
    long PacketsToServer, long PacketsToClient, long BytesToServer, long BytesToClient);

/// <summary>What one Suricata run reported; <c>RulesLoaded</c> is how many rules it accepted.</summary>
public sealed record SuricataResult(IReadOnlySet<string> AlertPairs, IReadOnlyList<SuricataFlow> Flows, int RulesLoaded);

/// <summary>
/// Suricata 7 as the reference for IDS keyword semantics and for per-flow counts: runs it
/// offline (<c>-k none</c> because hand-built and loopback captures have no valid checksums to
/// trust, single run mode) and reads eve.json.
/// </summary>
public static class Suricata
{
    /// <param name="capturePath">The capture to read.</param>
    /// <param name="rulesPath">The rule file.</param>
    /// <param name="variables">Address and port groups, passed with <c>--set</c>.</param>
    /// <param name="outputDirectory">Where eve.json goes.</param>
    /// <param name="configName">A configuration in tests/TestData/suricata: <c>aznf-oracle.yaml</c> (app-layer parsers off) or <c>aznf-oracle-http.yaml</c> (Suricata's default parsers).</param>
    public static SuricataResult Run(string capturePath, string rulesPath, IReadOnlyDictionary<string, string> variables, string outputDirectory, string configName = "aznf-oracle.yaml")
    {
        Directory.CreateDirectory(outputDirectory);
        // AZNF_SURICATA_CONFIG swaps in another configuration by hand (e.g. the distribution's).
        string config = Environment.GetEnvironmentVariable("AZNF_SURICATA_CONFIG") is { Length: > 0 } custom
            ? custom
            : OracleProcess.TestData("suricata", configName);
        var arguments = new List<string>
        {
            "-v", "-c", config,
            "-r", capturePath, "-S", rulesPath, "-l", outputDirectory, "-k", "none", "--runmode", "single",
        };
        foreach (var (name, value) in variables)
        {
            string group = name.EndsWith("_PORTS", StringComparison.Ordinal) ? "port-groups" : "address-groups";
            arguments.Add("--set");
            arguments.Add($"vars.{group}.{name}={value}");
        }
        var (output, errors) = OracleProcess.RunCapturingErrors("suricata", [.. arguments]);
        output += errors;

        // Suricata skips a rule it cannot parse and goes on; its summary line (-v) says how many it
        // kept. An empty rule file gets a warning instead of the summary.
        var summary = Regex.Match(output, @"(\d+) rules successfully loaded, (\d+) rules failed");
        int rulesLoaded = summary.Success ? int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture)
            : output.Contains("no rules were loaded", StringComparison.Ordinal) ? 0
            : throw new InvalidOperationException("suricata printed no rule-load summary: " + output);

        var pairs = new HashSet<string>(StringComparer.Ordinal);
        var flows = new List<SuricataFlow>();
        foreach (string line in File.ReadLines(Path.Combine(outputDirectory, "eve.json")))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string proto = root.GetProperty("proto").GetString()!.ToLowerInvariant();
            var source = NetAddress.Parse(root.GetProperty("src_ip").GetString()!);
            var destination = NetAddress.Parse(root.GetProperty("dest_ip").GetString()!);
            ushort sourcePort = root.TryGetProperty("src_port", out var sp) ? (ushort)sp.GetInt32() : (ushort)0;
            ushort destinationPort = root.TryGetProperty("dest_port", out var dp) ? (ushort)dp.GetInt32() : (ushort)0;
            switch (root.GetProperty("event_type").GetString())
            {
                case "alert":
                    pairs.Add(AlertPair(root.GetProperty("alert").GetProperty("signature_id").GetInt32(), proto, source, sourcePort, destination, destinationPort));
                    break;
                case "flow":
                    var flow = root.GetProperty("flow");
                    flows.Add(new SuricataFlow(proto, source, sourcePort, destination, destinationPort,
                        flow.GetProperty("pkts_toserver").GetInt64(), flow.GetProperty("pkts_toclient").GetInt64(),
                        flow.GetProperty("bytes_toserver").GetInt64(), flow.GetProperty("bytes_toclient").GetInt64()));
                    break;
            }
        }
        return new SuricataResult(pairs, flows, rulesLoaded);
    }

    /// <summary>
    /// "sid proto lower:port &lt;-&gt; upper:port", the form both sides are compared in. ICMP ports
    /// are zeroed because Suricata's eve has no echo id.
    /// </summary>
    public static string AlertPair(int sid, string proto, NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort)
    {
        if (proto is "icmp" or "ipv6-icmp")
        {
            sourcePort = destinationPort = 0;
        }
        bool sourceLower = source.CompareTo(destination) < 0 || (source == destination && sourcePort <= destinationPort);
        string a = FlowKey.Endpoint(source, sourcePort), b = FlowKey.Endpoint(destination, destinationPort);
        return sourceLower ? $"{sid} {proto} {a} <-> {b}" : $"{sid} {proto} {b} <-> {a}";
    }
}
