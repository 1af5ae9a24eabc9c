using System.Text;
using AzNf.Ingest.Events;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Firewall;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.Partitions;

namespace AzNf.Fuzz;

/// <summary>
/// What each fuzz target feeds its input to, and which exceptions are the documented answer to
/// bad input there (a clear error naming what and where). Anything else escaping is a crash:
/// AFL records it, and the replay test fails on it.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = ["capture", "packet", "event", "ids-rules", "firewall-rules", "chain"];

    /// <summary>Runs <paramref name="target"/> on one input.</summary>
    /// <exception cref="ArgumentException">No such target.</exception>
    public static void Run(string target, byte[] input)
    {
        switch (target)
        {
            case "capture":
                Capture(input);
                break;
            case "packet":
                Packet(input);
                break;
            case "event":
                Event(input);
                break;
            case "ids-rules":
                IdsDefinition.Parse([new RuleText("fuzz.rules", Text(input))]);
                break;
            case "firewall-rules":
                Expect<ConfigException>(() => FirewallDefinition.Parse(Text(input), "fuzz.rules"));
                break;
            case "chain":
                Expect<ConfigException>(() => ChainDefinition.Parse(Text(input), "fuzz.json", RuleSource.Texts(ChainRules), new HashSet<NetAddress>()));
                break;
            default:
                throw new ArgumentException($"unknown fuzz target '{target}' (targets: {string.Join(", ", Names)})", nameof(target));
        }
    }

    // Rule files a fuzzed chain may name: one of each kind, so stages load as far as their config.
    private static readonly Dictionary<string, string> ChainRules = new(StringComparer.Ordinal)
    {
        ["fw.rules"] = "allow tcp from any to any port 80\n",
        ["ids.rules"] = "alert tcp any any -> any 80 (msg:\"x\"; content:\"GET\"; sid:1;)\n",
    };

    private static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    /// <summary>A capture file, read to its end as <c>aznf run</c> does (defragmentation on), every record parsed.</summary>
    private static void Capture(byte[] input)
    {
        Expect<CaptureFormatException>(() =>
        {
            using var reader = CaptureReader.Open(new MemoryStream(input), "fuzz.pcap");
            while (reader.TryRead(out var record))
            {
                if (PacketParser.Parse(record.LinkType, record.Data, out var parsed) == MalformedReason.None)
                {
                    _ = FlowKey.From(parsed, out _);
                }
            }
        });
    }

    /// <summary>One frame: the first byte picks the link type, the rest is the frame.</summary>
    private static void Packet(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        LinkType[] links = [LinkType.Ethernet, LinkType.Raw, LinkType.IPv4, LinkType.IPv6, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Null, LinkType.Loop];
        var link = links[input[0] % links.Length];
        if (PacketParser.Parse(link, input.AsSpan(1), out var parsed) == MalformedReason.None)
        {
            _ = FlowKey.From(parsed, out _);
        }
    }

    /// <summary>One Event Hubs event body, decoded as the consumer does.</summary>
    private static void Event(byte[] input)
    {
        var batch = new PartitionBatch(PacketEventFormat.MaxPacketsPerEvent);
        if (PacketEventReader.TryDecode(input, 1, batch) == PacketEventError.None)
        {
            foreach (ref readonly var packet in batch.Packets)
            {
                _ = PacketParser.Parse(packet.LinkType, batch.Frame(packet), out _);
            }
        }
    }

    private static void Expect<T>(Action action)
        where T : Exception
    {
        try
        {
            action();
        }
        catch (T)
        {
            // The documented answer to this kind of bad input.
        }
    }
}
