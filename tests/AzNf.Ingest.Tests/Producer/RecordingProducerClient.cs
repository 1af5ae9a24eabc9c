using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace AzNf.Ingest.Tests.Producer;

/// <summary>
/// An <see cref="EventHubProducerClient"/> with no connection (the SDK's mocking constructor):
/// batches come from <see cref="EventHubsModelFactory"/> with a size rule of our own (body +
/// a fixed envelope per event), and sends are recorded in order.
/// </summary>
internal sealed class RecordingProducerClient(long maxBatchBytes = 1024 * 1024, int envelopeBytes = 200) : EventHubProducerClient
{
    private readonly Dictionary<EventDataBatch, (string? Key, string? PartitionId, List<EventData> Events)> _batches = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();

    public List<(string? PartitionKey, List<EventData> Events)> Sent { get; } = [];

    /// <summary>Batches sent to an explicit partition id, in order.</summary>
    public List<(string? PartitionId, List<EventData> Events)> SentToPartition { get; } = [];

    /// <summary>The hub's partitions, as <see cref="GetPartitionIdsAsync"/> reports them.</summary>
    public string[] PartitionIds { get; init; } = ["0", "1", "2", "3"];

    public override Task<string[]> GetPartitionIdsAsync(CancellationToken cancellationToken = default) => Task.FromResult(PartitionIds);

    public int BatchesCreated { get; private set; }

    /// <summary>When set, every send fails with it (a hub that refuses).</summary>
    public Exception? SendFailure { get; set; }

    public override ValueTask<EventDataBatch> CreateBatchAsync(CancellationToken cancellationToken = default) =>
        CreateBatchAsync(new CreateBatchOptions(), cancellationToken);

    public override ValueTask<EventDataBatch> CreateBatchAsync(CreateBatchOptions options, CancellationToken cancellationToken = default)
    {
        // The model factory's batch reports the options' maximum as its own, as a real one reports the link's.
        options = new CreateBatchOptions { PartitionKey = options.PartitionKey, PartitionId = options.PartitionId, MaximumSizeInBytes = options.MaximumSizeInBytes ?? maxBatchBytes };
        var events = new List<EventData>();
        long size = 0;
        var batch = EventHubsModelFactory.EventDataBatch(maxBatchBytes, events, options, data =>
        {
            long next = size + data.EventBody.ToMemory().Length + envelopeBytes;
            if (next > maxBatchBytes)
            {
                return false;
            }
            size = next;
            return true;
        });
        lock (_lock)
        {
            BatchesCreated++;
            _batches[batch] = (options.PartitionKey, options.PartitionId, events);
        }
        return ValueTask.FromResult(batch);
    }

    public override async Task SendAsync(EventDataBatch eventBatch, CancellationToken cancellationToken = default)
    {
        // A real send takes a while; yielding lets the producer overlap them.
        await Task.Yield();
        if (SendFailure is { } failure)
        {
            throw failure;
        }
        lock (_lock)
        {
            var (key, partitionId, events) = _batches[eventBatch];
            Sent.Add((key, [.. events]));
            SentToPartition.Add((partitionId, [.. events]));
        }
    }
}
