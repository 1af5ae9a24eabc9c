using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Chain;

public sealed class FlowSnapshotTests : IDisposable
{
    private const long Millisecond = 1_000_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("aznf-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // "/etc/passwd" (sample IDS rule 1000001) split across two segments, so only a carried stream window finds it.
    private static List<byte[]> SplitTraversal() =>
        new TcpConversation("127.0.0.1", 40001, "127.0.0.2", 80)
            .Handshake()
            .Client("GET /etc/pa")
            .Client("sswd HTTP/1.0\r\n\r\n")
            .Close()
            .Frames;

    [Fact]
    public void ExportImport_ContentSplitAcrossParts_SameAlertsAndCountsAsOneGo()
    {
        var chain = TestChains.Full();
        var frames = SplitTraversal();
        const int FirstPart = 5; // handshake, first data segment and its ACK
        var whole = new ChainPartition(chain, 0);
        Run(whole, frames, 0, frames.Count);
        whole.Finish();

        var first = new ChainPartition(chain, 0);
        Run(first, frames, 0, FirstPart);
        byte[] snapshot = first.ExportFlow(KeyOf(frames[0]), 7, out _)!;
        var second = new ChainPartition(chain, 0);
        second.ImportFlow(snapshot, 7, "test flow");
        Run(second, frames, FirstPart, frames.Count);
        second.Finish();

        var expected = Assert.Single(whole.Alerts.Alerts);
        Assert.Equal(1000001, expected.Sid);
        Assert.Empty(first.Alerts.Alerts);
        var actual = Assert.Single(second.Alerts.Alerts);
        Assert.Equal((expected.Sid, expected.PacketIndex), (actual.Sid, actual.PacketIndex));
        Assert.Equal(whole.FinishedFlows.Single() with { End = FlowEndReason.EndOfRun }, second.FinishedFlows.Single());
        Assert.Empty(first.FinishedFlows);
        Assert.Equal(0, first.Flows.Count);
    }

    [Fact]
    public void Process_SecondPartWithoutImport_MissesTheSplitContent()
    {
        var frames = SplitTraversal();
        var partition = new ChainPartition(TestChains.Full(), 0);

        Run(partition, frames, 5, frames.Count);

        Assert.Empty(partition.Alerts.Alerts);
    }

    [Fact]
    public void ExportImportExport_SameBytes()
    {
        var chain = TestChains.Full();
        var frames = SplitTraversal();
        var first = new ChainPartition(chain, 0);
        Run(first, frames, 0, 4);
        var key = KeyOf(frames[0]);
        byte[] snapshot = first.ExportFlow(key, 1, out var timeoutClass)!;

        var second = new ChainPartition(chain, 0);
        second.ImportFlow(snapshot, 1, "test flow");
        byte[] again = second.ExportFlow(key, 1, out _)!;

        Assert.Equal(snapshot, again);
        Assert.Equal(FlowTimeoutClass.TcpEstablished, timeoutClass);
        Assert.Equal((3, 1), (FlowSnapshot.Read(snapshot, "test flow").PacketsAToB, FlowSnapshot.Read(snapshot, "test flow").PacketsBToA));
    }

    /// <summary>
    /// Importing is not the passage of time: a flow whose last packet is much later must not expire
    /// one imported before it (a staged step imports flows whose earlier packets are still to run),
    /// while the partition's clock does, through the stages, with an <c>expired</c> record.
    /// </summary>
    [Fact]
    public void ImportFlow_AFlowSeenMuchLater_ExpiresNoFlowImportedBeforeTheClockDoes()
    {
        var chain = TestChains.Full();
        var early = SplitTraversal();
        var late = new TcpConversation("127.0.0.3", 40002, "127.0.0.4", 80).Handshake().Frames;
        const long Later = 1_000_000 * Millisecond;
        var first = new ChainPartition(chain, 0);
        Run(first, early, 0, 4);
        var second = new ChainPartition(chain, 0);
        for (int i = 0; i < late.Count; i++)
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, late[i], out var parsed);
            second.Process(late[i], parsed, malformed, late[i].Length, Later + i, i + 1);
        }
        byte[] idle = first.ExportFlow(KeyOf(early[0]), 1, out _)!;
        byte[] recent = second.ExportFlow(KeyOf(late[0]), 1, out _)!;
        var partition = new ChainPartition(chain, 0);

        partition.ImportFlow(idle, 1, "idle flow");
        partition.ImportFlow(recent, 1, "recent flow");

        Assert.True(partition.TryGetLastSeen(KeyOf(early[0]), out long lastSeen));
        Assert.Equal(4 * Millisecond, lastSeen);
        Assert.Empty(partition.FinishedFlows);
        partition.ExpireIdle(Later + late.Count);
        var expired = Assert.Single(partition.FinishedFlows);
        Assert.Equal((FlowEndReason.Expired, KeyOf(early[0])), (expired.End, expired.Key));
        Assert.False(partition.TryGetLastSeen(KeyOf(early[0]), out _));
        Assert.True(partition.TryGetLastSeen(KeyOf(late[0]), out _));
    }

    [Fact]
    public void ImportFlow_UnknownFormatVersion_ErrorNamesTheFlow()
    {
        var partition = new ChainPartition(TestChains.Full(), 0);
        byte[] snapshot = Snapshot();
        snapshot[0] = 99;

        var error = Assert.Throws<FlowSnapshotException>(() => partition.ImportFlow(snapshot, 1, "tcp 127.0.0.1:40001 <-> 127.0.0.2:80"));

        Assert.Contains("tcp 127.0.0.1:40001 <-> 127.0.0.2:80", error.Message, StringComparison.Ordinal);
        Assert.Contains("format version 99", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, partition.Flows.Count);
    }

    [Fact]
    public void ImportFlow_Truncated_ErrorNamesTheFlowAndLeavesNoFlow()
    {
        var partition = new ChainPartition(TestChains.Full(), 0);
        byte[] snapshot = Snapshot();

        var error = Assert.Throws<FlowSnapshotException>(() => partition.ImportFlow(snapshot.AsSpan(0, snapshot.Length - 3), 1, "flow X"));

        Assert.Equal("flow X", error.Flow);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, partition.Flows.Count);
    }

    [Fact]
    public void ExportImport_TwoIdsStages_EachKeepsItsOwnStreamWindow()
    {
        var chain = TwoIdsChain();
        var frames = SplitTraversal();
        var first = new ChainPartition(chain, 0);
        Run(first, frames, 0, 5);
        byte[] snapshot = first.ExportFlow(KeyOf(frames[0]), 3, out _)!;
        var second = new ChainPartition(chain, 0);

        second.ImportFlow(snapshot, 3, "test flow");
        Run(second, frames, 5, frames.Count);

        Assert.Empty(first.Alerts.Alerts);
        Assert.Equal(new[] { 1, 2 }, second.Alerts.Alerts.Select(a => a.Sid).Order());
    }

    [Fact]
    public void ImportFlow_StageGoneFromTheChain_ItsSectionSkippedTheOthersKept()
    {
        var frames = SplitTraversal();
        var first = new ChainPartition(TwoIdsChain(), 0);
        Run(first, frames, 0, 5);
        byte[] snapshot = first.ExportFlow(KeyOf(frames[0]), 3, out _)!;
        var onlyB = ChainDefinition.Parse(
            """{ "stages": [ { "name": "ids-b", "type": "ids", "rules": "b.rules" } ] }""", "only-b.json", _folder);
        var second = new ChainPartition(onlyB, 0);

        second.ImportFlow(snapshot, 3, "test flow");
        Run(second, frames, 5, frames.Count);

        Assert.Equal(2, Assert.Single(second.Alerts.Alerts).Sid);
        Assert.Equal(1, second.Flows.Count);
    }

    [Fact]
    public void ImportFlow_BadFirewallSection_ErrorNamesTheStageAndLeavesNoFlow()
    {
        byte[] snapshot = Snapshot();
        // The firewall section: name, kind, format 1, int32 length, then the conntrack fields;
        // its state byte (22 bytes in) set to a state no build knows.
        byte[] header = [8, .. "firewall"u8, 8, .. "firewall"u8, 1];
        int section = snapshot.AsSpan().IndexOf(header) + header.Length + 4;
        snapshot[section + 22] = 200;
        var partition = new ChainPartition(TestChains.Full(), 0);

        var error = Assert.Throws<FlowSnapshotException>(() => partition.ImportFlow(snapshot, 1, "flow X"));

        Assert.Contains("section of stage 'firewall'", error.Message, StringComparison.Ordinal);
        Assert.Contains("conntrack state 200", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, partition.Flows.Count);
    }

    // Two IDS stages, each with one rule that only the carried stream window finds ("/etc/pa" + "sswd").
    private ChainDefinition TwoIdsChain()
    {
        File.WriteAllText(Path.Combine(_folder, "a.rules"), "alert tcp any any -> any any (msg:\"a\"; flow:established,to_server; content:\"/etc/passwd\"; sid:1;)\n");
        File.WriteAllText(Path.Combine(_folder, "b.rules"), "alert tcp any any -> any any (msg:\"b\"; flow:established,to_server; content:\"etc/passwd HTTP\"; sid:2;)\n");
        return ChainDefinition.Parse(
            """
            { "stages": [ { "name": "ids-a", "type": "ids", "rules": "a.rules" },
                          { "name": "ids-b", "type": "ids", "rules": "b.rules" } ] }
            """, "two-ids.json", _folder);
    }

    private static byte[] Snapshot()
    {
        var frames = SplitTraversal();
        var partition = new ChainPartition(TestChains.Full(), 0);
        Run(partition, frames, 0, 5);
        return partition.ExportFlow(KeyOf(frames[0]), 1, out _)!;
    }

    private static FlowKey KeyOf(byte[] frame)
    {
        PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
        return FlowKey.From(parsed, out _);
    }

    private static void Run(ChainPartition partition, List<byte[]> frames, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, frames[i], out var parsed);
            partition.Process(frames[i], parsed, malformed, frames[i].Length, (i + 1) * Millisecond, i + 1);
        }
    }
}
