using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Ingest.Producer;
using AzNf.Outputs.Eve;

namespace AzNf.Functions.Outputs;

/// <summary>
/// EVE JSON for a SIEM: each durable unit's alert and flow lines (<see cref="EveRecordLines"/>),
/// one event per line (content type <c>application/json</c>), to the alerts event hub — the path
/// Microsoft Sentinel, Elastic and Splunk ingest from. Sent before the unit's counts are stored,
/// so a hub that is down holds the input back and nothing is lost; a replayed unit sends its
/// lines again with the same <see cref="EventData.MessageId"/> (<c>chain/alert/flow_id/sid/pcap_cnt</c>,
/// <c>chain/flow/flow_id</c>) for the reader to drop.
/// </summary>
public sealed class AlertsHubSink(EventHubProducerClient client, string chainName)
{
    private long _lines;

    /// <summary>EVE lines sent so far.</summary>
    public long LinesSent => Interlocked.Read(ref _lines);

    public async Task SendAsync(IReadOnlyList<EveLine> lines, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            return;
        }
        var events = lines.Select(line => new EventData(line.Bytes) { ContentType = "application/json", MessageId = $"{chainName}/{line.Id}" });
        await EventBatches.SendAsync(client, events, new CreateBatchOptions(), "an EVE line", sent: null, cancellation).ConfigureAwait(false);
        Interlocked.Add(ref _lines, lines.Count);
    }
}
