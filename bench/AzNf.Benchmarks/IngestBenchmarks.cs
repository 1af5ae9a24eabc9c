using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Ingest.Events;
using AzNf.Ingest.Producer;
using AzNf.Partitions;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using BenchmarkDotNet.Attributes;

namespace AzNf.Benchmarks;

/// <summary>
/// Ingestion cost per packet, client side only (no broker runs here): encoding packet events,
/// the whole producer (read, parse, key, encode, EventData, batch) against a mocked client,
/// and decoding events into partition batches. 512-byte frames, 128 flows of 64 packets.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class IngestBenchmarks
{
    private const int Packets = 8192;
    private BenchmarkTraffic _traffic = null!;
    private byte[][] _bodies = null!;
    private byte[] _capture = null!;
    private PacketEventWriter _writer = null!;
    private PartitionBatch _batch = null!;
    private List<ForwardedPacket> _forwarded = null!;
    private List<EventData> _egressEvents = null!;

    [Params(1, 8, 64)]
    public int Flowlet { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _traffic = BenchmarkTraffic.Create(512, 128, dataPerFlow: Packets / 128);
        _writer = new PacketEventWriter(1 << 20);
        _batch = new PartitionBatch(PacketEventFormat.MaxPacketsPerEvent * 4, 8 << 20);
        var bodies = new List<byte[]>();
        for (int i = 0; i < Packets; i += Flowlet)
        {
            _writer.Start(LinkType.Ethernet, 0);
            for (int j = i; j < i + Flowlet && j < Packets; j++)
            {
                _writer.TryAppend(_traffic.Data[j % _traffic.Data.Count], 512, j);
            }
            bodies.Add(_writer.ToArray());
        }
        _bodies = [.. bodies];
        _forwarded = [];
        for (int i = 0; i < Packets; i++)
        {
            var frame = _traffic.Data[i % _traffic.Data.Count];
            PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            _forwarded.Add(new ForwardedPacket(AzNf.Packets.Flows.FlowKey.From(parsed, out _), true, i + 1, 0, i + 1, LinkType.Ethernet, 1_000_000_000L + i, 512, frame));
        }
        var recording = new NullProducerClient { Keep = true };
        new EventHubPacketEgress(recording, Flowlet).SendAsync("bench", 0, _forwarded, default).GetAwaiter().GetResult();
        _egressEvents = recording.Kept;
        var stream = new MemoryStream();
        using (var pcap = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true))
        {
            for (int i = 0; i < Packets; i++)
            {
                pcap.Write(1_000_000_000L + i, _traffic.Data[i % _traffic.Data.Count]);
            }
            _capture = stream.ToArray();
        }
    }

    /// <summary>Encode only: packet → event body (no copy out of the writer).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int Encode()
    {
        int bytes = 0;
        var frames = _traffic.Data;
        for (int i = 0; i < Packets; i += Flowlet)
        {
            _writer.Start(LinkType.Ethernet, 0);
            for (int j = i; j < i + Flowlet; j++)
            {
                _writer.TryAppend(frames[j % frames.Count], 512, j);
            }
            bytes += _writer.Body.Length;
        }
        return bytes;
    }

    /// <summary>The producer end to end against a mocked client: capture → events in batches (sends complete at once).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public long ProduceAndBatch()
    {
        using var capture = CaptureReader.Open(new MemoryStream(_capture), "bench.pcap");
        var producer = new PacketEventProducer(new NullProducerClient(), new PacketProducerOptions { Flowlet = Flowlet, FlowletWindow = TimeSpan.FromSeconds(10) });
        return producer.SendAsync(capture).GetAwaiter().GetResult().PacketsSent;
    }

    /// <summary>A chain's egress: forwarded packets → events per hub partition in origin order, with origin indexes (sends complete at once).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public long Egress()
    {
        var egress = new EventHubPacketEgress(new NullProducerClient(), Flowlet);
        egress.SendAsync("bench", 0, _forwarded, default).GetAwaiter().GetResult();
        return egress.EventsSent;
    }

    /// <summary>The next chain's side of a hop: egress events → origin check → partition batch (decode and the replay watermark).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int ConsumeEgress()
    {
        var batch = _batch;
        batch.Clear();
        var watermarks = AzNf.Ingest.Consumer.OriginWatermarks.Empty();
        long sequence = 0;
        foreach (var e in _egressEvents)
        {
            var body = e.EventBody.ToMemory().Span;
            PacketEventReader.TryReadHeader(body, out var header);
            AzNf.Ingest.Consumer.OriginWatermarks.Read(e.Properties, header.PacketCount, out string? origin, out long[]? indexes);
            int repeated = watermarks.Handled(origin!, indexes!);
            if (batch.Count + header.PacketCount > batch.MaxPackets)
            {
                batch.Clear();
            }
            PacketEventReader.TryDecode(body, sequence++, batch, repeated);
            watermarks.Advance(origin!, indexes![^1]);
        }
        return batch.Count;
    }

    /// <summary>Decode: event bodies → a partition batch (what the consumer does per event).</summary>
    [Benchmark(OperationsPerInvoke = Packets)]
    public int Decode()
    {
        var batch = _batch;
        batch.Clear();
        long sequence = 0;
        foreach (var body in _bodies)
        {
            if (batch.Count + Flowlet > batch.MaxPackets)
            {
                batch.Clear();
            }
            PacketEventReader.TryDecode(body, sequence++, batch);
        }
        return batch.Count;
    }

    /// <summary>A producer client with no connection: model-factory batches of 1 MB, sends that complete at once.</summary>
    private sealed class NullProducerClient : EventHubProducerClient
    {
        private readonly Dictionary<EventDataBatch, List<EventData>> _events = new(ReferenceEqualityComparer.Instance);

        /// <summary>Keep what is sent (in <see cref="Kept"/>).</summary>
        public bool Keep { get; init; }

        public List<EventData> Kept { get; } = [];

        public override Task<string[]> GetPartitionIdsAsync(CancellationToken cancellationToken = default) => Task.FromResult<string[]>(["0", "1", "2", "3"]);

        public override ValueTask<EventDataBatch> CreateBatchAsync(CancellationToken cancellationToken = default) =>
            CreateBatchAsync(new CreateBatchOptions(), cancellationToken);

        public override ValueTask<EventDataBatch> CreateBatchAsync(CreateBatchOptions options, CancellationToken cancellationToken = default)
        {
            long size = 0;
            var batchOptions = new CreateBatchOptions { PartitionKey = options.PartitionKey, PartitionId = options.PartitionId, MaximumSizeInBytes = 1024 * 1024 };
            var events = new List<EventData>();
            var batch = EventHubsModelFactory.EventDataBatch(0, events, batchOptions, data =>
            {
                // Roughly what AMQP adds per event: properties, partition key, framing.
                size += data.EventBody.ToMemory().Length + 200;
                return size <= 1024 * 1024;
            });
            if (Keep)
            {
                lock (_events)
                {
                    _events[batch] = events;
                }
            }
            return ValueTask.FromResult(batch);
        }

        public override Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
        {
            if (Keep)
            {
                lock (_events)
                {
                    Kept.AddRange(_events[eventBatch]);
                }
            }
            return Task.CompletedTask;
        }
    }
}
