using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Ingest.Events;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Producer;

/// <summary>
/// Sends a capture to an event hub as packet events: partition key = the symmetric flow key, so
/// both directions of a flow reach one partition in order; optionally packs up to N packets of a
/// flow into one event (a flowlet); fills batches within the hub's size limit and keeps several
/// sends in flight, never two of one partition key at once (which could reorder a flow).
/// </summary>
/// <remarks>
/// Why <see cref="EventHubProducerClient"/> batches and not the buffered producer: a batch
/// reports synchronously that an event does not fit (so an oversize packet is a clear error at
/// the packet that caused it), sends are awaited (back-pressure reaches the capture reader, and
/// a failure stops the replay at once), and the client is mockable. The buffered producer packs
/// events of many keys into per-partition batches, which matters when flows are many and short;
/// flowlets recover most of that here (see docs/events.md and docs/PERFORMANCE.md).
/// </remarks>
public sealed class PacketEventProducer
{
    private readonly EventHubProducerClient _client;
    private readonly PacketProducerOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<TimeSpan>? _clock;
    private readonly Dictionary<string, EventDataBatch> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _sending = new(StringComparer.Ordinal);
    private readonly Dictionary<FlowKey, PendingFlowlet> _flowlets = [];
    private readonly Dictionary<FlowKey, FlowNames> _names = [];
    private readonly Stack<PacketEventWriter> _writers = new();
    private readonly List<string> _rejected = [];
    private SemaphoreSlim? _slots;
    private int _maxBodyLength;
    private string _source = "";
    private long _packetsSent;
    private long _packetsRejected;
    private long _unparsed;
    private long _events;
    private long _batches;
    private long _bodyBytes;
    private long _lastFlushNanos;
    private ExceptionDispatchInfo? _sendFailure;
    private byte[] _frame = new byte[2048];

    public PacketEventProducer(EventHubProducerClient client, PacketProducerOptions options)
        : this(client, options, Task.Delay, clock: null)
    {
    }

    /// <summary>With the wait and the clock replaced, so tests check the waits against the schedule without waiting.</summary>
    internal PacketEventProducer(EventHubProducerClient client, PacketProducerOptions options, Func<TimeSpan, CancellationToken, Task> delay, Func<TimeSpan>? clock)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _options = options;
        _delay = delay;
        _clock = clock;
    }

    /// <summary>The partition key of a flow: its stable 64-bit hash in hex (the same in both directions and in every process).</summary>
    public static string PartitionKeyOf(in FlowKey key) => key.StableHash.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// Sends every frame of <paramref name="capture"/>; <paramref name="progress"/> gets the capture
    /// position now and then. <paramref name="cancellation"/> is a stop request: reading ends, what
    /// was read is sent, and the summary says <see cref="SendSummary.Interrupted"/>.
    /// </summary>
    /// <exception cref="EventHubsException">The hub refused a send (not found, not authorized, quota...); the message names it.</exception>
    public async Task<SendSummary> SendAsync(CaptureReader capture, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(capture);
        _source = _options.Source ?? Path.GetFileName(capture.Name);
        _slots = new SemaphoreSlim(_options.MaxConcurrentSends);
        var schedule = new SendSchedule(_options.Rate);
        var stopwatch = Stopwatch.StartNew();
        var elapsed = _clock ?? (() => stopwatch.Elapsed);
        long index = 0;
        bool interrupted = false;
        // A first batch tells the hub's size limit before any packet is read, and a namespace,
        // hub or credential that does not work fails here, before anything was sent.
        using (var probe = await _client.CreateBatchAsync(cancellation).ConfigureAwait(false))
        {
            SetLimit(probe.MaximumSizeInBytes);
        }
        try
        {
            // A stop request ends the reading; what was read is still sent (in flow order, whole
            // events), so an interrupted send leaves the hub a prefix of the capture, not a hole.
            while (!interrupted)
            {
                if (cancellation.IsCancellationRequested)
                {
                    interrupted = true;
                    break;
                }
                if (!TryReadCopy(capture, ref _frame, out var packet))
                {
                    break;
                }
                index++;
                if (_options.Rate.Kind != SendRateKind.Unlimited)
                {
                    var wait = schedule.Next(packet.WireLength, packet.TimestampNanos) - elapsed();
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        try
                        {
                            await _delay(wait, cancellation).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                        {
                            interrupted = true;
                        }
                    }
                }
                await AddPacketAsync(packet, index, CancellationToken.None).ConfigureAwait(false);
                if ((index & 0xFFF) == 0)
                {
                    progress?.Invoke(capture.Position);
                }
            }
            await FlushFlowletsAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var key in _open.Keys.ToList())
            {
                await SendOpenBatchAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            await Task.WhenAll(_sending.Values).ConfigureAwait(false);
        }
        finally
        {
            foreach (var batch in _open.Values)
            {
                batch.Dispose();
            }
            _open.Clear();
        }
        progress?.Invoke(capture.Position);
        return new SendSummary(index, _packetsSent, _packetsRejected, _unparsed, _events, _batches, _bodyBytes, _rejected) { Interrupted = interrupted };
    }

    // The reader's record is a ref struct, which cannot live across the producer's awaits, so the
    // frame is copied into one reused buffer (a fresh array per packet cost more in GC than the copy).
    private static bool TryReadCopy(CaptureReader capture, ref byte[] buffer, out CapturedPacket packet)
    {
        if (!capture.TryRead(out var record))
        {
            packet = default;
            return false;
        }
        if (record.Data.Length > buffer.Length)
        {
            buffer = new byte[Math.Max(record.Data.Length, buffer.Length * 2)];
        }
        record.Data.CopyTo(buffer);
        packet = new CapturedPacket(record.LinkType, new ReadOnlyMemory<byte>(buffer, 0, record.Data.Length), record.OriginalLength, record.TimestampNanos);
        return true;
    }

    private async Task AddPacketAsync(CapturedPacket packet, long index, CancellationToken cancellation)
    {
        _sendFailure?.Throw();
        var writer = RentWriter();
        if (packet.Frame.Length > writer.MaxFrameLength)
        {
            ReturnWriter(writer);
            Reject(index, $"packet {index}: {packet.Frame.Length} captured bytes do not fit in one event (at most {writer.MaxFrameLength} with this hub's {_maxBodyLength + _options.EnvelopeReserve}-byte limit)");
            return;
        }
        bool parsed = PacketParser.Parse(packet.LinkType, packet.Frame.Span, out var headers) == MalformedReason.None;
        if (!parsed || _options.Flowlet == 1)
        {
            writer.Start(packet.LinkType, packet.TimestampNanos);
            writer.TryAppend(packet.Frame.Span, packet.WireLength, packet.TimestampNanos);
            if (parsed)
            {
                var names = NamesOf(FlowKey.From(headers, out _));
                await EmitAsync(writer, names.PartitionKey, names.Text, index, cancellation).ConfigureAwait(false);
            }
            else
            {
                _unparsed++;
                await EmitAsync(writer, "", PacketEventProperties.UnparsedFlow, index, cancellation).ConfigureAwait(false);
            }
            ReturnWriter(writer);
            return;
        }
        ReturnWriter(writer);

        var flow = FlowKey.From(headers, out _);
        if (_flowlets.TryGetValue(flow, out var pending) && !pending.Writer.TryAppend(packet.Frame.Span, packet.WireLength, packet.TimestampNanos))
        {
            _flowlets.Remove(flow);
            await EmitAsync(pending.Writer, NamesOf(flow), pending.FirstIndex, cancellation).ConfigureAwait(false);
            ReturnWriter(pending.Writer);
            pending = null;
        }
        if (pending is null)
        {
            var fresh = RentWriter();
            fresh.Start(packet.LinkType, packet.TimestampNanos);
            fresh.TryAppend(packet.Frame.Span, packet.WireLength, packet.TimestampNanos);
            pending = new PendingFlowlet(fresh, index);
            _flowlets[flow] = pending;
        }
        if (pending.Writer.Count >= _options.Flowlet)
        {
            _flowlets.Remove(flow);
            await EmitAsync(pending.Writer, NamesOf(flow), pending.FirstIndex, cancellation).ConfigureAwait(false);
            ReturnWriter(pending.Writer);
        }
        if (_lastFlushNanos == 0)
        {
            _lastFlushNanos = packet.TimestampNanos;
        }
        if (_flowlets.Count > _options.MaxOpenFlowlets || packet.TimestampNanos - _lastFlushNanos > _options.FlowletWindow.Ticks * 100)
        {
            _lastFlushNanos = packet.TimestampNanos;
            await FlushFlowletsAsync(cancellation).ConfigureAwait(false);
        }
    }

    private async Task FlushFlowletsAsync(CancellationToken cancellation)
    {
        // Each flow has at most one open flowlet, so the order in which they go does not reorder any flow.
        foreach (var (flow, pending) in _flowlets.OrderBy(f => f.Value.FirstIndex).ToList())
        {
            await EmitAsync(pending.Writer, NamesOf(flow), pending.FirstIndex, cancellation).ConfigureAwait(false);
            ReturnWriter(pending.Writer);
        }
        _flowlets.Clear();
    }

    private Task EmitAsync(PacketEventWriter writer, FlowNames names, long firstIndex, CancellationToken cancellation) =>
        EmitAsync(writer, names.PartitionKey, names.Text, firstIndex, cancellation);

    // Formatting a flow key costs about a microsecond (addresses as text); a flow's events reuse it.
    private FlowNames NamesOf(in FlowKey flow)
    {
        if (_names.TryGetValue(flow, out var names))
        {
            return names;
        }
        if (_names.Count >= 65_536)
        {
            _names.Clear();
        }
        names = new FlowNames(PartitionKeyOf(flow), flow.ToString());
        _names[flow] = names;
        return names;
    }

    private async Task EmitAsync(PacketEventWriter writer, string partitionKey, string flowText, long firstIndex, CancellationToken cancellation)
    {
        var data = new EventData(writer.ToArray()) { ContentType = PacketEventProperties.ContentType };
        data.Properties[PacketEventProperties.FlowKey] = flowText;
        data.Properties[PacketEventProperties.Source] = _source;
        data.Properties[PacketEventProperties.Sequence] = firstIndex;
        int packets = writer.Count;

        if (!_open.TryGetValue(partitionKey, out var batch))
        {
            if (_open.Count >= _options.MaxOpenBatches)
            {
                foreach (var key in _open.Keys.ToList())
                {
                    await SendOpenBatchAsync(key, cancellation).ConfigureAwait(false);
                }
            }
            batch = await CreateBatchAsync(partitionKey, cancellation).ConfigureAwait(false);
            _open[partitionKey] = batch;
        }
        if (!batch.TryAdd(data))
        {
            if (batch.Count > 0)
            {
                await SendOpenBatchAsync(partitionKey, cancellation).ConfigureAwait(false);
                batch = await CreateBatchAsync(partitionKey, cancellation).ConfigureAwait(false);
                _open[partitionKey] = batch;
            }
            if (!batch.TryAdd(data))
            {
                Reject(firstIndex, $"packet {firstIndex} ({flowText}): an event of {packets} packet(s) and {writer.Body.Length} body bytes does not fit in a batch of at most {batch.MaximumSizeInBytes} bytes");
                _packetsRejected += packets - 1;
                return;
            }
        }
        _events++;
        _packetsSent += packets;
        _bodyBytes += writer.Body.Length;
    }

    private async Task<EventDataBatch> CreateBatchAsync(string partitionKey, CancellationToken cancellation)
    {
        var options = partitionKey.Length == 0 ? new CreateBatchOptions() : new CreateBatchOptions { PartitionKey = partitionKey };
        return await _client.CreateBatchAsync(options, cancellation).ConfigureAwait(false);
    }

    private async Task SendOpenBatchAsync(string partitionKey, CancellationToken cancellation)
    {
        if (!_open.Remove(partitionKey, out var batch))
        {
            return;
        }
        if (batch.Count == 0)
        {
            batch.Dispose();
            return;
        }
        // One send per partition key at a time: a second one could overtake the first and reorder the flow.
        if (_sending.TryGetValue(partitionKey, out var previous))
        {
            await previous.ConfigureAwait(false);
        }
        await _slots!.WaitAsync(cancellation).ConfigureAwait(false);
        _batches++;
        _sending[partitionKey] = SendAndReleaseAsync(batch, cancellation);
        if (_sending.Count > 4 * _options.MaxConcurrentSends)
        {
            foreach (var key in _sending.Where(s => s.Value.IsCompleted).Select(s => s.Key).ToList())
            {
                await _sending[key].ConfigureAwait(false);
                _sending.Remove(key);
            }
        }
    }

    private async Task SendAndReleaseAsync(EventDataBatch batch, CancellationToken cancellation)
    {
        try
        {
            await _client.SendAsync(batch, cancellation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Seen by the reading loop at its next packet, so a refused send stops the replay at once.
            Interlocked.CompareExchange(ref _sendFailure, ExceptionDispatchInfo.Capture(e), null);
            throw;
        }
        finally
        {
            batch.Dispose();
            _slots!.Release();
        }
    }

    private void SetLimit(long batchLimit)
    {
        long body = batchLimit - _options.EnvelopeReserve;
        if (body < PacketEventFormat.Overhead(1) + 1)
        {
            throw new InvalidOperationException($"the hub's batch limit of {batchLimit} bytes leaves no room for a packet event after {_options.EnvelopeReserve} bytes of envelope");
        }
        _maxBodyLength = (int)Math.Min(body, int.MaxValue);
    }

    private PacketEventWriter RentWriter()
    {
        // Sized for a typical flowlet, so it rarely grows; at most 64 KiB, below the large-object heap.
        return _writers.TryPop(out var writer) && writer.MaxBodyLength == _maxBodyLength
            ? writer
            : new PacketEventWriter(_maxBodyLength, Math.Clamp(_options.Flowlet * 1024, 4096, 64 * 1024));
    }

    private void ReturnWriter(PacketEventWriter writer) => _writers.Push(writer);

    private void Reject(long index, string reason)
    {
        _packetsRejected++;
        if (_rejected.Count < 100)
        {
            _rejected.Add(reason);
        }
        Debug.Assert(index > 0, "packet indexes are 1-based");
    }

    private readonly record struct CapturedPacket(LinkType LinkType, ReadOnlyMemory<byte> Frame, int WireLength, long TimestampNanos);

    private sealed record FlowNames(string PartitionKey, string Text);

    private sealed record PendingFlowlet(PacketEventWriter Writer, long FirstIndex);
}
