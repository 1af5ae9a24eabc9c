using System.Text.Json;
using AzNf.Functions.Outputs;
using AzNf.Ingest.Tests.Producer;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Eve;

namespace AzNf.Functions.Tests;

public class AlertsHubSinkTests
{
    private static readonly ReportAlert Alert = new(2001, 1, "ET WEB x", "alert", "tcp", "10.0.0.1", 40000, "10.0.0.2", 80, 12, null, "ids", Timestamp: "2026-01-01T00:00:00.0000000Z", FlowId: 77);

    private static ReportFlow Flow(long id) => new($"tcp 10.0.0.1:40000 <-> 10.0.0.2:80", "tcp", "10.0.0.1:40000", "10.0.0.2:80", 4, 400, 2, 2, 200, 200, 1,
        "2026-01-01T00:00:00.0000000Z", "2026-01-01T00:00:01.0000000Z", "end-of-run", id, "closed");

    [Fact]
    public async Task SendAsync_UnitWithAlertAndFlows_OneJsonEventPerEveLineWithStableIds()
    {
        var client = new RecordingProducerClient();
        var sink = new AlertsHubSink(client, "edge");
        var eveLines = new EveRecordLines();

        await sink.SendAsync(eveLines.Of(new ChainTally { Alerts = [Alert], Flows = [Flow(5)] }), default);
        await sink.SendAsync(eveLines.Of(new ChainTally { Flows = [Flow(77)] }), default);

        var events = client.Sent.SelectMany(b => b.Events).ToList();
        Assert.Equal(["edge/alert/77/2001/12", "edge/flow/5", "edge/flow/77"], events.Select(e => e.MessageId));
        Assert.All(events, e => Assert.Equal("application/json", e.ContentType));
        var lines = events.Select(e => JsonDocument.Parse(e.EventBody.ToMemory()).RootElement).ToList();
        Assert.Equal("alert", lines[0].GetProperty("event_type").GetString());
        Assert.Equal(2001, lines[0].GetProperty("alert").GetProperty("signature_id").GetInt32());
        // The flow that raised the alert, ended in a later unit, is "alerted"; the other is not.
        Assert.False(lines[1].GetProperty("flow").GetProperty("alerted").GetBoolean());
        Assert.True(lines[2].GetProperty("flow").GetProperty("alerted").GetBoolean());
        Assert.Equal(3, sink.LinesSent);
    }

    [Fact]
    public async Task SendAsync_HubRefuses_ThrowsSoTheUnitsCountsAreNotStored()
    {
        var client = new RecordingProducerClient { SendFailure = new Azure.Messaging.EventHubs.EventHubsException(true, "alerts", "throttled", Azure.Messaging.EventHubs.EventHubsException.FailureReason.ServiceBusy) };
        var sink = new AlertsHubSink(client, "edge");

        await Assert.ThrowsAsync<Azure.Messaging.EventHubs.EventHubsException>(() => sink.SendAsync(new EveRecordLines().Of(new ChainTally { Alerts = [Alert] }), default));
        Assert.Equal(0, sink.LinesSent);
    }
}
