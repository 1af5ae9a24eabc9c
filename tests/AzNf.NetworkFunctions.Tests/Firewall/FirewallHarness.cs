using AzNf.NetworkFunctions.Firewall;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>
/// Plays frames through one <see cref="NetworkFunctions.Firewall.Firewall"/> the way the chain
/// engine does: parse, look the flow up by its symmetric key (originator = first packet's
/// source), set direction, index and timestamp.
/// </summary>
internal sealed class FirewallHarness
{
    public const long Second = 1_000_000_000L;

    private readonly Dictionary<FlowKey, (int Slot, bool OriginatorIsLower)> _flows = [];
    private long _index;

    public FirewallHarness(string rules, FirewallOptions? options = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        Definition = FirewallDefinition.Parse(rules, "test.rules", options, variables);
        Instance = (NetworkFunctions.Firewall.Firewall)Definition.CreateInstance(new PartitionResources(0, new AlertLog()));
    }

    public FirewallDefinition Definition { get; }

    public NetworkFunctions.Firewall.Firewall Instance { get; }

    /// <summary>Capture time of the next packet, in nanoseconds.</summary>
    public long Now { get; set; } = 1_700_000_000L * Second;

    public Verdict Send(byte[] frame)
    {
        var context = new PacketContext
        {
            Frame = frame,
            WireLength = frame.Length,
            TimestampNanos = Now,
            Index = ++_index,
        };
        context.Malformed = PacketParser.Parse(LinkType.Ethernet, frame, out context.Packet);
        if (!context.IsParsed)
        {
            Instance.StartFlow(FlowSlot.Scratch);
            return Instance.Process(ref context, FlowSlot.Scratch);
        }
        var key = FlowKey.From(context.Packet, out bool sourceIsLower);
        if (!_flows.TryGetValue(key, out var flow))
        {
            flow = (_flows.Count, sourceIsLower);
            _flows[key] = flow;
            Instance.StartFlow(flow.Slot);
        }
        context.Direction = sourceIsLower == flow.OriginatorIsLower ? FlowDirection.AToB : FlowDirection.BToA;
        return Instance.Process(ref context, flow.Slot);
    }

    /// <summary>The conntrack state of the flow <paramref name="frame"/> belongs to.</summary>
    public ConntrackFlowState StateOf(byte[] frame)
    {
        PacketParser.Parse(LinkType.Ethernet, frame, out var packet);
        return Instance.Flow(_flows[FlowKey.From(packet, out _)].Slot);
    }

    public Dictionary<string, long> Counters()
    {
        var counters = new Dictionary<string, long>();
        Instance.ReportCounters(counters);
        return counters;
    }
}
