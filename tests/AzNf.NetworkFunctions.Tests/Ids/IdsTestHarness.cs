using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// Runs frames through one <see cref="IntrusionDetector"/> the way the chain engine does: a flow
/// table keyed by the symmetric flow key, direction from the flow's first packet, 1-based index.
/// </summary>
internal sealed class IdsTestHarness
{
    private readonly Dictionary<FlowKey, (int Slot, bool OriginatorIsLower, long FirstIndex)> _flows = [];
    private int _nextSlot;
    private long _index;

    public IdsTestHarness(string rules, IdsOptions? options = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        Definition = IdsDefinition.Parse(rules, "test.rules", variables ?? DefaultVariables, options, Diagnostics);
        Detector = (IntrusionDetector)Definition.CreateInstance(new PartitionResources(0, Alerts));
    }

    public static IReadOnlyDictionary<string, string> DefaultVariables { get; } = new Dictionary<string, string>
    {
        ["HOME_NET"] = "[10.0.0.0/8,192.168.0.0/16]",
        ["EXTERNAL_NET"] = "!$HOME_NET",
        ["HTTP_PORTS"] = "[80,8080]",
    };

    public ConfigDiagnostics Diagnostics { get; } = new();

    public IdsDefinition Definition { get; }

    public IntrusionDetector Detector { get; }

    public AlertLog Alerts { get; } = new();

    /// <summary>Sids that alerted, in order.</summary>
    public List<int> AlertedSids => Alerts.Alerts.Select(a => a.Sid).ToList();

    public Verdict Send(byte[] frame)
    {
        var context = new PacketContext
        {
            Frame = frame,
            Malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed),
            WireLength = frame.Length,
            Index = ++_index,
            // The same times WriteCapture gives the frames, so thresholds see what Suricata sees.
            TimestampNanos = TimestampOf(_index),
            FlowFirstPacketIndex = _index,
        };
        context.Packet = parsed;
        if (!context.IsParsed)
        {
            Detector.StartFlow(FlowSlot.Scratch);
            return Detector.Process(ref context, FlowSlot.Scratch);
        }
        var key = FlowKey.From(in parsed, out bool sourceIsLower);
        if (!_flows.TryGetValue(key, out var flow))
        {
            flow = (_nextSlot++, sourceIsLower, _index);
            _flows[key] = flow;
            Detector.StartFlow(flow.Slot);
        }
        context.Direction = sourceIsLower == flow.OriginatorIsLower ? FlowDirection.AToB : FlowDirection.BToA;
        context.FlowFirstPacketIndex = flow.FirstIndex;
        return Detector.Process(ref context, flow.Slot);
    }

    /// <summary>The capture time the harness gives the packet at 1-based <paramref name="index"/>.</summary>
    public static long TimestampOf(long index) => CaptureStartNanos + ((index - 1) * FrameSpacingNanos);

    public List<Verdict> SendAll(IEnumerable<byte[]> frames) => frames.Select(Send).ToList();

    /// <summary>Sends <paramref name="frames"/> and returns the bytes this thread allocated meanwhile (the list is made beforehand).</summary>
    public long AllocatedWhileSending(IReadOnlyList<byte[]> frames)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < frames.Count; i++)
        {
            Send(frames[i]);
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Capture time of the first frame the harness sends and the oracle tests write.</summary>
    public const long CaptureStartNanos = 1_700_000_000_000_000_000L;

    /// <summary>One frame per millisecond.</summary>
    public const long FrameSpacingNanos = 1_000_000;

    /// <summary>Writes <paramref name="frames"/> as an Ethernet pcap with the times the harness gives them.</summary>
    public static void WriteCapture(string path, IEnumerable<byte[]> frames)
    {
        using var writer = PcapWriter.Create(path, LinkType.Ethernet);
        long time = CaptureStartNanos;
        foreach (var frame in frames)
        {
            writer.Write(time, frame);
            time += FrameSpacingNanos;
        }
    }

    /// <summary>
    /// Moves every flow of <paramref name="from"/> into this harness through the IDS's flow
    /// snapshot (WriteFlow there, ReadFlow here), as a partition move or a durable batch boundary does.
    /// </summary>
    public void ImportFlows(IdsTestHarness from)
    {
        foreach (var (key, flow) in from._flows)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            from.Detector.WriteFlow(flow.Slot, buffer);
            _flows[key] = flow;
            _nextSlot = Math.Max(_nextSlot, flow.Slot + 1);
            Detector.StartFlow(flow.Slot);
            Detector.ReadFlow(flow.Slot, from.Detector.FlowFormat, buffer.WrittenSpan, rulesChanged: false);
        }
        _index = from._index;
    }

    public void EndAllFlows()
    {
        foreach (var (slot, _, _) in _flows.Values)
        {
            Detector.EndFlow(slot);
        }
        _flows.Clear();
    }
}
