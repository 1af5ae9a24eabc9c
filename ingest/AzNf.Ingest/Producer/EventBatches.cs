using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;

namespace AzNf.Ingest.Producer;

/// <summary>Sends events to a hub in order, in as few batches as they fit, one send at a time (so they arrive in that order).</summary>
public static class EventBatches
{
    /// <param name="client">The hub's producer.</param>
    /// <param name="events">The events, in the order they are to arrive.</param>
    /// <param name="options">Every batch's options (its partition key or id).</param>
    /// <param name="what">What an event is, for the error when one does not fit (<c>an egress event</c>).</param>
    /// <param name="sent">Told each batch's event count once the hub has taken it.</param>
    /// <param name="cancellation">Stops between sends.</param>
    /// <exception cref="InvalidOperationException">An event does not fit even an empty batch; the message names <paramref name="what"/> and its size.</exception>
    public static async Task SendAsync(EventHubProducerClient client, IEnumerable<EventData> events, CreateBatchOptions options, string what, Action<int>? sent, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(events);
        EventDataBatch? batch = null;
        try
        {
            foreach (var data in events)
            {
                batch ??= await client.CreateBatchAsync(options, cancellation).ConfigureAwait(false);
                if (batch.TryAdd(data))
                {
                    continue;
                }
                if (batch.Count > 0)
                {
                    await client.SendAsync(batch, cancellation).ConfigureAwait(false);
                    sent?.Invoke(batch.Count);
                    batch.Dispose();
                    batch = await client.CreateBatchAsync(options, cancellation).ConfigureAwait(false);
                }
                if (!batch.TryAdd(data))
                {
                    throw new InvalidOperationException($"{what} of {data.EventBody.ToMemory().Length} bytes does not fit an empty batch of the hub ({batch.MaximumSizeInBytes} bytes)");
                }
            }
            if (batch is { Count: > 0 })
            {
                await client.SendAsync(batch, cancellation).ConfigureAwait(false);
                sent?.Invoke(batch.Count);
            }
        }
        finally
        {
            batch?.Dispose();
        }
    }
}
