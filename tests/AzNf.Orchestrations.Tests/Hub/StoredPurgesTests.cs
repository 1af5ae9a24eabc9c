using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;

namespace AzNf.Orchestrations.Tests.Hub;

public sealed class StoredPurgesTests
{
    [Fact]
    public async Task PurgeAsync_UnitsItsShardsHaveNotShownStored_KeptUntilAReplySaysSo()
    {
        var hub = new ShardStateHub(_ => throw new InvalidOperationException("no read while units wait under the limit"));
        var (purges, purged, failures) = Purges(hub, keepBeforeRead: 4);

        await purges.PurgeAsync(0, new ConsumedUnit("b1", ["b1.nfb"], 100, [0, 1]), closingReads: 0, CancellationToken.None);
        purges.NoteStored(0, 0, 100);
        await purges.PurgeAsync(0, new ConsumedUnit("b2", ["b2.nfb"], 200, [0]), closingReads: 0, CancellationToken.None);
        Assert.Empty(purged);
        purges.NoteStored(1, 0, 150);
        purges.NoteStored(0, 0, 200);
        await purges.PurgeAsync(0, null, closingReads: 0, CancellationToken.None);

        Assert.Equal(["b1", "b2"], purged);
        Assert.Equal(0, purges.Waiting);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task PurgeAsync_AtTheClose_AReadThatFailsOnceIsTriedAgain_NotAFailure()
    {
        int reads = 0;
        var hub = new ShardStateHub(_ => ++reads == 1 ? throw new InvalidOperationException("blob gone under the read") : Stored(partition: 0, through: 100));
        var (purges, purged, failures) = Purges(hub, keepBeforeRead: 4);

        await purges.PurgeAsync(0, new ConsumedUnit("b1", ["b1.nfb"], 100, [3]), closingReads: 3, CancellationToken.None);

        Assert.Equal(["b1"], purged);
        Assert.Empty(failures);
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task PurgeAsync_AtTheClose_ShardNeverReadable_OneFailureNamingItAndTheUnitStays()
    {
        var hub = new ShardStateHub(_ => throw new InvalidOperationException("storage gone"));
        var (purges, purged, failures) = Purges(hub, keepBeforeRead: 4);

        await purges.PurgeAsync(0, new ConsumedUnit("b1", ["b1.nfb"], 100, [3]), closingReads: 3, CancellationToken.None);

        Assert.Empty(purged);
        Assert.Equal(1, purges.Waiting);
        var failure = Assert.Single(failures);
        Assert.Contains("flow shard 3", failure, StringComparison.Ordinal);
        Assert.Contains("storage gone", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurgeAsync_PastTheLimit_ReadsTheShardsOfTheOldestAndPurgesWhatTheyStored()
    {
        var hub = new ShardStateHub(key => key == "full:0" ? Stored(partition: 0, through: 100) : Stored(partition: 0, through: -1));
        var (purges, purged, _) = Purges(hub, keepBeforeRead: 1);

        await purges.PurgeAsync(0, new ConsumedUnit("b1", ["b1.nfb"], 100, [0]), closingReads: 0, CancellationToken.None);
        Assert.Empty(hub.Keys);
        await purges.PurgeAsync(0, new ConsumedUnit("b2", ["b2.nfb"], 200, [1]), closingReads: 0, CancellationToken.None);

        Assert.Equal(["b1"], purged);
        Assert.Equal(["full:0"], hub.Keys);
        Assert.Equal(1, purges.Waiting);
    }

    private static FlowShardState Stored(int partition, long through) => new() { Batches = new Dictionary<int, long> { [partition] = through } };

    private static (StoredPurges Purges, List<string> Purged, List<string> Failures) Purges(IChainTaskHub hub, int keepBeforeRead)
    {
        var purged = new List<string>();
        var failures = new List<string>();
        var purges = new StoredPurges(hub, "full", keepBeforeRead, TimeSpan.FromMilliseconds(1), (unit, _) =>
        {
            purged.Add(unit.InstanceId);
            return Task.CompletedTask;
        }, failures.Add);
        return (purges, purged, failures);
    }

    /// <summary>A hub that only answers reads of flow-shard states, from a function of the entity key.</summary>
    private sealed class ShardStateHub(Func<string, FlowShardState> read) : IChainTaskHub
    {
        public List<string> Keys { get; } = [];

        public IPacketBatchStore Packets => throw new NotSupportedException();

        public Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default)
        {
            Assert.Equal(FlowShardEntity.Name, entityName);
            Keys.Add(key);
            return Task.FromResult((T?)(object)read(key));
        }

        public Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default) => throw new NotSupportedException();

        public Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default) => throw new NotSupportedException();

        public Task PurgeAsync(string instanceId, CancellationToken cancellation = default) => throw new NotSupportedException();

        public Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, CancellationToken cancellation = default) => throw new NotSupportedException();

        public IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, CancellationToken cancellation = default) => throw new NotSupportedException();
    }
}
