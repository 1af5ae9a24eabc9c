using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Eve;

namespace AzNf.Functions.Outputs;

/// <summary>
/// EVE JSON for a SIEM: each durable unit's alerts and ended flows, one event per EVE line
/// (content type <c>application/json</c>), to the alerts event hub — the path Microsoft Sentinel,
/// Elastic and Splunk ingest from. Sent before the unit's counts are stored, so a hub that is
/// down holds the input back and nothing is lost; a replayed unit sends its lines again with the
/// same <see cref="EventData.MessageId"/> (<c>chain/alert/flow_id/sid/pcap_cnt</c>,
/// <c>chain/flow/flow_id</c>) for the reader to drop.
/// </summary>
public sealed class AlertsHubSink(EventHubProducerClient client, string chainName)
{
    private readonly HashSet<long> _alertedFlows = [];
    private long _lines;

    /// <summary>EVE lines sent so far.</summary>
    public long LinesSent => Interlocked.Read(ref _lines);

    public async Task SendAsync(ChainTally tally, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(tally);
        if (tally.Alerts.Count == 0 && tally.Flows.Count == 0)
        {
            return;
        }
        List<(string Id, byte[] Line)> lines;
        lock (_alertedFlows)
        {
            lines = EveOutput.Lines(tally.Alerts, tally.Flows, _alertedFlows);
        }
        EventDataBatch? batch = null;
        try
        {
            foreach (var (id, line) in lines)
            {
                var data = new EventData(line) { ContentType = "application/json", MessageId = $"{chainName}/{id}" };
                batch ??= await client.CreateBatchAsync(cancellation).ConfigureAwait(false);
                if (batch.TryAdd(data))
                {
                    continue;
                }
                if (batch.Count > 0)
                {
                    await client.SendAsync(batch, cancellation).ConfigureAwait(false);
                    batch.Dispose();
                    batch = await client.CreateBatchAsync(cancellation).ConfigureAwait(false);
                }
                if (!batch.TryAdd(data))
                {
                    throw new InvalidOperationException($"an EVE line of {line.Length} bytes does not fit an empty batch of the alerts hub");
                }
            }
            if (batch is { Count: > 0 })
            {
                await client.SendAsync(batch, cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            batch?.Dispose();
        }
        Interlocked.Add(ref _lines, lines.Count);
    }
}
