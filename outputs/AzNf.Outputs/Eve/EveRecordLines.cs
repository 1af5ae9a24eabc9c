using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Outputs.Eve;

/// <summary>
/// One EVE line of a record made elsewhere: its <c>event_type</c>, an id that is the same
/// whenever the same event is written again (a replayed unit: <c>alert/flow_id/sid/pcap_cnt</c>,
/// <c>flow/flow_id</c>), the report time it is filed under (the alert's packet, the flow's end)
/// and its bytes, without the newline.
/// </summary>
public sealed record EveLine(string EventType, string Id, string? Time, byte[] Bytes);

/// <summary>
/// The EVE lines of durable work units' records (their alerts, then their ended flows), unit
/// after unit: made once per unit for every sink (a file, the alerts hub, blobs), remembering
/// between units which flows raised an alert. Thread-safe: units complete side by side.
/// </summary>
public sealed class EveRecordLines
{
    private readonly AlertedFlows _alerted = new();
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;

    public EveRecordLines() => _json = new Utf8JsonWriter(_buffer, EveOutput.WriterOptions);

    public IReadOnlyList<EveLine> Of(ChainTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        var lines = new List<EveLine>(tally.Alerts.Count + tally.Flows.Count);
        lock (_alerted)
        {
            foreach (var alert in tally.Alerts)
            {
                EveEvents.WriteAlert(_json, alert);
                _alerted.Alerted(alert.FlowId);
                lines.Add(new EveLine("alert", string.Create(CultureInfo.InvariantCulture, $"alert/{alert.FlowId}/{alert.Sid}/{alert.PacketIndex}"), alert.Timestamp, Take()));
            }
            foreach (var flow in tally.Flows)
            {
                EveEvents.WriteFlow(_json, flow, _alerted.Ended(flow.FlowId));
                lines.Add(new EveLine("flow", string.Create(CultureInfo.InvariantCulture, $"flow/{flow.FlowId}"), flow.LastSeen, Take()));
            }
        }
        return lines;
    }

    private byte[] Take()
    {
        _json.Flush();
        byte[] line = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        _json.Reset();
        return line;
    }
}
