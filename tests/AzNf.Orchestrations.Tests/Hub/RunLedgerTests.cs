using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Hub;

public sealed class RunLedgerTests
{
    private static ChainTally Tally(long packets, string alertMsg) => new()
    {
        Packets = packets,
        Bytes = packets * 100,
        Forwarded = packets - 1,
        Dropped = 1,
        DropReasons = new Dictionary<string, long> { ["blocked"] = 1 },
        Unparsed = new Dictionary<string, long> { ["truncated-ip"] = 2 },
        Stages = [new StageTally(packets, packets - 1, 1, 0, new Dictionary<string, long> { ["rules"] = 3 })],
        Alerts = [new ReportAlert(1000001, 1, alertMsg, "alert", "tcp", "10.0.0.1", 1234, "10.0.0.2", 80, 7, "attempted-recon", "ids")],
    };

    [Fact]
    public async Task ReadAll_OneRecordPerBatch_ASecondWriteOfABatchReplacesIt()
    {
        var store = new InMemoryPacketStore();
        var ledger = new RunLedger(store, "my chain");
        await ledger.WriteAsync("b-1", Tally(10, "one"), default);
        await ledger.WriteAsync("b-2", Tally(20, "two"), default);
        await ledger.WriteAsync("b-1", Tally(10, "one"), default);
        await new RunLedger(store, "another").WriteAsync("b-1", Tally(99, "other chain"), default);

        var read = await ledger.ReadAllAsync(default);
        var sum = ChainTally.Sum(read, 1);

        Assert.Equal(2, read.Count);
        Assert.Equal(30, sum.Packets);
        Assert.Equal(3000, sum.Bytes);
        Assert.Equal(2, sum.DropReasons["blocked"]);
        Assert.Equal(4, sum.Unparsed["truncated-ip"]);
        Assert.Equal(6, sum.Stages[0].Counters["rules"]);
        Assert.Equal(["one", "two"], sum.Alerts.Select(a => a.Msg));
    }

    [Fact]
    public async Task ReadAll_GarbageRecord_FormatExceptionNamesIt()
    {
        var store = new InMemoryPacketStore();
        var ledger = new RunLedger(store, "c");
        await ledger.WriteAsync("b-1", Tally(1, "x"), default);
        string name = store.Blobs.Keys.Single();
        store.Blobs[name] = [1, 2, 3, 4];

        var error = await Assert.ThrowsAsync<FormatException>(() => ledger.ReadAllAsync(default));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identity_NoneUntilWritten_ThenWhatWasWritten()
    {
        var ledger = new RunLedger(new InMemoryPacketStore(), "c");

        var before = await ledger.ReadIdentityAsync(default);
        await ledger.WriteIdentityAsync("capture a.pcap (10 bytes)", default);

        Assert.Null(before);
        Assert.Equal("capture a.pcap (10 bytes)", await ledger.ReadIdentityAsync(default));
        Assert.Empty(await ledger.ReadAllAsync(default));
    }
}
