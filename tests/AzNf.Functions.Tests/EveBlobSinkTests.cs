using System.Text.Json;
using Azure.Storage.Blobs;
using AzNf.Functions.Outputs;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Eve;
using AzNf.TestOracles;

namespace AzNf.Functions.Tests;

/// <summary>EVE lines kept in blobs per chain and hour, against Azurite: a unit written again adds nothing, concurrent units all land.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class EveBlobSinkTests(AzuriteFixture azurite)
{
    private static ReportAlert Alert(int sid, string time, long flowId) =>
        new(sid, 1, "x", "alert", "tcp", "10.0.0.1", 40000, "10.0.0.2", 80, sid, null, "ids", Timestamp: time, FlowId: flowId);

    private static ReportFlow Flow(long id, string end) => new("tcp 10.0.0.1:40000 <-> 10.0.0.2:80", "tcp", "10.0.0.1:40000", "10.0.0.2:80", 2, 200, 1, 1, 100, 100, 1,
        "2026-01-01T10:00:00.0000000Z", end, "end-of-run", id, "established");

    private async Task<BlobContainerClient> ContainerAsync()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, AzuriteFixture.UniqueName("eve"));
        await new EveBlobSink(container, "edge").CreateIfNotExistsAsync(default);
        return container;
    }

    private static async Task<List<JsonElement>> LinesAsync(BlobContainerClient container, string blob)
    {
        var content = await container.GetBlobClient(blob).DownloadContentAsync();
        return content.Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task WriteAsync_UnitWrittenAgainAfterARestart_EachLineOnceInTheBlobOfItsHour()
    {
        var container = await ContainerAsync();
        var unit = new ChainTally
        {
            Alerts = [Alert(1001, "2026-01-01T10:15:00.0000000Z", 5)],
            Flows = [Flow(5, "2026-01-01T10:59:59.0000000Z"), Flow(6, "2026-01-01T11:00:01.0000000Z")],
        };
        var first = new EveBlobSink(container, "edge");
        await first.WriteAsync(new EveRecordLines().Of(unit), default);
        // The process died before the unit's counts were stored: a new one runs the unit again.
        var again = new EveBlobSink(container, "edge");
        var linesAgain = new EveRecordLines();
        await again.WriteAsync(linesAgain.Of(unit), default);
        await again.WriteAsync(linesAgain.Of(new ChainTally { Flows = [Flow(7, "2026-01-01T10:30:00.0000000Z")] }), default);

        var ten = await LinesAsync(container, EveBlobSink.BlobName("edge", new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc)));
        var eleven = await LinesAsync(container, "edge/2026/01/01/11.json");
        Assert.Equal(["alert", "flow", "flow"], ten.Select(e => e.GetProperty("event_type").GetString()));
        Assert.Equal([5L, 5L, 7L], ten.Select(e => e.GetProperty("flow_id").GetInt64()));
        Assert.True(ten[1].GetProperty("flow").GetProperty("alerted").GetBoolean());
        Assert.Equal([6L], eleven.Select(e => e.GetProperty("flow_id").GetInt64()));
        Assert.Equal(3, first.LinesWritten);
        Assert.Equal(2, again.RepeatedBlocks);
        Assert.Equal(1, again.LinesWritten);
    }

    [Fact]
    public async Task WriteAsync_ManyUnitsAtOnceIntoOneHour_AllLand()
    {
        var container = await ContainerAsync();
        var sink = new EveBlobSink(container, "edge");
        var eveLines = new EveRecordLines();

        await Task.WhenAll(Enumerable.Range(1, 12).Select(i => sink.WriteAsync(eveLines.Of(new ChainTally { Flows = [Flow(i, $"2026-01-01T12:{i:00}:00.0000000Z")] }), default)));

        var lines = await LinesAsync(container, "edge/2026/01/01/12.json");
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), lines.Select(e => e.GetProperty("flow_id").GetInt64()).Order());
    }
}
