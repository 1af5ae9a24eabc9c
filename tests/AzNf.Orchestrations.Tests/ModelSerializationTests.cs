using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using static AzNf.Orchestrations.Tests.TestUnits;

namespace AzNf.Orchestrations.Tests;

/// <summary>The models survive System.Text.Json with default options, the Durable default data converter's serializer.</summary>
public class ModelSerializationTests
{
    [Fact]
    public void ChainWorkUnit_RoundTrip_SameJsonAndLabelsAsText()
    {
        var chain = TestChains.Parse("""{ "mode": "staged", "stages": [ { "type": "counter", "deadlineMs": 5, "onDeadline": "fail-closed" } ] }""");
        var frames = new TcpConversation("10.0.0.1", 1, "10.0.0.2", 2).Handshake().Frames;
        var unit = Unit(chain, frames, 0, 3, ChainMode.Staged);

        string json = JsonSerializer.Serialize(unit);
        var back = JsonSerializer.Deserialize<ChainWorkUnit>(json)!;

        Assert.Equal(json, JsonSerializer.Serialize(back));
        Assert.Contains("\"Mode\":\"Staged\"", json, StringComparison.Ordinal);
        Assert.Contains("\"OnDeadline\":\"FailClosed\"", json, StringComparison.Ordinal);
        Assert.Equal(frames[2], back.Packets[2].Frame);
    }

    [Fact]
    public void ChainWorkResult_RoundTrip_SameJson()
    {
        var result = new ChainWorkResult
        {
            ChainName = "c",
            FlowKey = "k",
            LastSequenceNumber = 3,
            Verdicts = [new PacketVerdict(3, 0, false, "deadline:ids", "ids")],
            Stages = [new StageOutcome("ids", 1, 0, 1, 0, true, DeadlinePolicy.FailClosed), new StageOutcome("c", 1, 1, 0, 2.5, false, null)],
            Alerts =
            [
                new ReportAlert(1, 1, "m", "alert", "tcp", "10.0.0.1", 1, "10.0.0.2", 2, 4, null, "ids"),
                new ReportAlert(2, 1, "m", "alert", "tcp", "10.0.0.1", 1, "10.0.0.2", 80, 5, null, "ids", Timestamp: "2026-01-01T00:00:00.0000000Z", FlowId: 9,
                    AppProto: "http", Http: new NetworkFunctions.AlertHttp("example.com", "/a?b", "GET", "curl/8", "HTTP/1.1", 200, "text/html")),
            ],
        };

        string json = JsonSerializer.Serialize(result);
        var read = JsonSerializer.Deserialize<ChainWorkResult>(json)!;

        Assert.Equal(json, JsonSerializer.Serialize(read));
        Assert.Equal(result.Alerts, read.Alerts);
    }

    [Fact]
    public void EntityStates_RoundTrip_SameJson()
    {
        object[] states =
        [
            new FlowEntityState { Version = 4, Snapshot = [1, 2], ExpiryDueUtc = DateTime.UnixEpoch },
            new SourceEntityState { Alerts = 2, DestinationPorts = [22, 80] },
            new BlocklistState { Version = 2, Entries = { ["10.0.0.1"] = DateTime.UnixEpoch } },
            new RuleSetState { Version = 1, Text = new RuleSetText("c.json", "{}", new Dictionary<string, string> { ["r"] = "x" }) },
            new GlobalCountersState { Packets = 5, DeadlineMissesByStage = { ["ids"] = 1 } },
        ];

        foreach (var state in states)
        {
            string json = JsonSerializer.Serialize(state, state.GetType());
            Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize(json, state.GetType()), state.GetType()));
        }
    }
}
