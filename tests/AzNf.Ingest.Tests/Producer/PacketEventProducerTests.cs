using AzNf.Ingest.Events;
using AzNf.Ingest.Producer;
using AzNf.Partitions;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Tests.Producer;

public sealed class PacketEventProducerTests
{
    private static List<(string? Key, EventDataDecoded Event)> Decode(RecordingProducerClient client) =>
        client.Sent.SelectMany(b => b.Events.Select(e => (b.PartitionKey, new EventDataDecoded(e)))).ToList();

    /// <summary>An event's properties and its packets' capture order.</summary>
    private sealed class EventDataDecoded
    {
        public EventDataDecoded(Azure.Messaging.EventHubs.EventData data)
        {
            Properties = data.Properties;
            var batch = new PartitionBatch(PacketEventFormat.MaxPacketsPerEvent, 1 << 20);
            Error = PacketEventReader.TryDecode(data.EventBody.ToMemory().Span, 0, batch);
            Packets = batch.Count;
            Keys = batch.Packets.ToArray().Select(p => PacketParser.Parse(p.LinkType, batch.Frame(p), out var parsed) == MalformedReason.None ? FlowKey.From(parsed, out _) : default).ToList();
        }

        public IDictionary<string, object> Properties { get; }
        public PacketEventError Error { get; }
        public int Packets { get; }
        public List<FlowKey> Keys { get; }
        public long Sequence => (long)Properties[PacketEventProperties.Sequence];
    }

    [Fact]
    public async Task Send_BothDirectionsOfAFlow_ShareOnePartitionKey()
    {
        var frames = new List<byte[]> { TestTraffic.Tcp(fromClient: true), TestTraffic.Tcp(fromClient: false), TestTraffic.Tcp(fromClient: true, clientPort: 40001) };
        using var capture = TestTraffic.Capture(frames);
        var client = new RecordingProducerClient();

        var summary = await new PacketEventProducer(client, new PacketProducerOptions()).SendAsync(capture);

        var events = Decode(client);
        // Sends run concurrently, so events arrive at the client in any order: pick by sequence.
        var first = events.Single(e => e.Event.Sequence == 1);
        Assert.Equal(3, summary.PacketsSent);
        Assert.All(events, e => Assert.Equal(PacketEventError.None, e.Event.Error));
        Assert.Equal(first.Key, events.Single(e => e.Event.Sequence == 2).Key);
        Assert.NotEqual(first.Key, events.Single(e => e.Event.Sequence == 3).Key);
        Assert.Equal(PacketEventProducer.PartitionKeyOf(first.Event.Keys[0]), first.Key);
        Assert.Equal(first.Event.Keys[0].ToString(), first.Event.Properties[PacketEventProperties.FlowKey]);
        Assert.Equal("test.pcap", first.Event.Properties[PacketEventProperties.Source]);
    }

    [Fact]
    public async Task Send_ManyPackets_BatchesStayWithinTheLimitAndKeepFlowOrder()
    {
        var frames = TestTraffic.Conversations(flows: 5, packetsEach: 200);
        using var capture = TestTraffic.Capture(frames);
        var client = new RecordingProducerClient(maxBatchBytes: 4000, envelopeBytes: 100);

        var summary = await new PacketEventProducer(client, new PacketProducerOptions { MaxConcurrentSends = 4 }).SendAsync(capture);

        Assert.Equal(1000, summary.PacketsSent);
        Assert.Equal(0, summary.PacketsRejected);
        Assert.True(client.Sent.Count > 5);
        Assert.All(client.Sent, b => Assert.True(b.Events.Sum(e => e.EventBody.ToMemory().Length + 100) <= 4000));
        Assert.All(client.Sent, b => Assert.Single(b.Events.Select(e => e.Properties[PacketEventProperties.FlowKey]).Distinct()));
        foreach (var flow in Decode(client).GroupBy(e => e.Key))
        {
            var sequences = flow.Select(e => e.Event.Sequence).ToList();
            Assert.Equal(sequences.Order(), sequences);
        }
    }

    [Fact]
    public async Task Send_Flowlet8_PacksUpToEightPacketsOfOneFlowPerEvent()
    {
        var frames = TestTraffic.Conversations(flows: 3, packetsEach: 20);
        using var capture = TestTraffic.Capture(frames);
        var client = new RecordingProducerClient();

        var summary = await new PacketEventProducer(client, new PacketProducerOptions { Flowlet = 8, FlowletWindow = TimeSpan.FromSeconds(1) }).SendAsync(capture);

        var events = Decode(client);
        Assert.Equal(60, summary.PacketsSent);
        Assert.Equal(60, events.Sum(e => e.Event.Packets));
        Assert.All(events, e => Assert.True(e.Event.Packets <= 8));
        Assert.All(events, e => Assert.Single(e.Event.Keys.Distinct()));
        Assert.Equal(3 * 3, events.Count);
    }

    [Fact]
    public async Task Send_OversizePacket_IsRejectedByNameAndTheRestGoes()
    {
        var big = TestTraffic.Tcp(true, payload: new string('x', 5000));
        var frames = new List<byte[]> { TestTraffic.Tcp(true), big, TestTraffic.Tcp(false) };
        using var capture = TestTraffic.Capture(frames);
        var client = new RecordingProducerClient(maxBatchBytes: 4000, envelopeBytes: 100);

        var summary = await new PacketEventProducer(client, new PacketProducerOptions()).SendAsync(capture);

        Assert.Equal(3, summary.PacketsRead);
        Assert.Equal(2, summary.PacketsSent);
        Assert.Equal(1, summary.PacketsRejected);
        string reason = Assert.Single(summary.Rejected);
        Assert.True(reason.Contains("packet 2", StringComparison.Ordinal), reason);
        Assert.True(reason.Contains($"{big.Length} captured bytes", StringComparison.Ordinal), reason);
    }

    [Fact]
    public async Task Send_UnparsableFrames_GoWithoutPartitionKeyAndAreCounted()
    {
        using var capture = TestTraffic.Capture([[1, 2, 3], TestTraffic.Tcp(true)]);
        var client = new RecordingProducerClient();

        var summary = await new PacketEventProducer(client, new PacketProducerOptions()).SendAsync(capture);

        Assert.Equal(1, summary.UnparsedPackets);
        var unparsed = Decode(client).Single(e => e.Event.Sequence == 1);
        Assert.Null(unparsed.Key);
        Assert.Equal(PacketEventProperties.UnparsedFlow, unparsed.Event.Properties[PacketEventProperties.FlowKey]);
    }

    [Fact]
    public async Task Send_WithRate_WaitsWhatTheScheduleSays()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(1, 5));
        var client = new RecordingProducerClient();
        var waits = new List<TimeSpan>();
        var producer = new PacketEventProducer(
            client,
            new PacketProducerOptions { Rate = SendRate.Parse("100pps") },
            (wait, _) => { waits.Add(wait); return Task.CompletedTask; },
            clock: () => TimeSpan.Zero);

        await producer.SendAsync(capture);

        Assert.Equal([10, 20, 30, 40], waits.Select(w => w.TotalMilliseconds));
    }

    /// <summary>
    /// A stop request (Ctrl-C, SIGTERM) while paced ends the reading at once; every packet read is
    /// still sent, whole and in order, and the summary says it was interrupted.
    /// </summary>
    [Fact]
    public async Task Send_StopRequestedMidCapture_ReadingEndsAndEveryPacketReadIsSent()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(1, 5));
        var client = new RecordingProducerClient();
        using var stop = new CancellationTokenSource();
        int waits = 0;
        var producer = new PacketEventProducer(
            client,
            new PacketProducerOptions { Rate = SendRate.Parse("100pps") },
            (_, cancellation) =>
            {
                if (++waits == 1)
                {
                    return Task.CompletedTask;
                }
                stop.Cancel();
                return Task.Delay(Timeout.Infinite, cancellation);
            },
            clock: () => TimeSpan.Zero);

        var summary = await producer.SendAsync(capture, cancellation: stop.Token);

        Assert.True(summary.Interrupted);
        Assert.Equal(3, summary.PacketsRead);
        Assert.Equal(3, summary.PacketsSent);
        Assert.Equal([1L, 2L, 3L], Decode(client).Select(e => e.Event.Sequence).Order());
        Assert.All(Decode(client), e => Assert.Equal(PacketEventError.None, e.Event.Error));
        Assert.True(capture.Position < capture.Length, "reading stopped before the end of the capture");
    }

    [Fact]
    public async Task Send_HubRefuses_StopsWithTheHubsError()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(flows: 50, packetsEach: 40));
        var client = new RecordingProducerClient(maxBatchBytes: 2000, envelopeBytes: 100)
        {
            SendFailure = new Azure.Messaging.EventHubs.EventHubsException(false, "packets", "hub not found", Azure.Messaging.EventHubs.EventHubsException.FailureReason.ResourceNotFound),
        };

        var error = await Assert.ThrowsAsync<Azure.Messaging.EventHubs.EventHubsException>(() => new PacketEventProducer(client, new PacketProducerOptions { MaxConcurrentSends = 2 }).SendAsync(capture));

        Assert.Equal(Azure.Messaging.EventHubs.EventHubsException.FailureReason.ResourceNotFound, error.Reason);
        Assert.True(capture.Position < capture.Length, "reading stopped before the end of the capture");
    }
}
