using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using AzNf.Ingest.Consumer;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

[Collection(AzuriteFixture.Collection)]
public sealed class TableCheckpointStoreTests(AzuriteFixture azurite)
{
    private const string Namespace = "aznf-test.servicebus.windows.net";
    private const string Group = "$Default";

    private static EventProcessorPartitionOwnership Ownership(string partition, string owner, string? version = null) => new()
    {
        FullyQualifiedNamespace = Namespace,
        EventHubName = ConsumerTestSetup.Hub,
        ConsumerGroup = Group,
        PartitionId = partition,
        OwnerIdentifier = owner,
        Version = version,
    };

    [Fact]
    public async Task Claim_TwoClaimersOnTheSameVersion_OnlyOneWins()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);
        var first = (await store.ClaimOwnershipAsync([Ownership("3", "a")], default)).Single();

        var byB = await store.ClaimOwnershipAsync([Ownership("3", "b", first.Version)], default);
        var byC = await store.ClaimOwnershipAsync([Ownership("3", "c", first.Version)], default);
        var listed = (await store.ListOwnershipAsync(Namespace, ConsumerTestSetup.Hub, Group, default)).Single();

        Assert.Single(byB);
        Assert.Empty(byC);
        Assert.Equal("b", listed.OwnerIdentifier);
        Assert.Equal(byB.Single().Version, listed.Version);
        Assert.NotEqual(first.Version, listed.Version);
    }

    [Fact]
    public async Task Checkpoint_StaleOwnerAfterATakeover_RefusedAndTheNewOwnersProgressKept()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);
        var a = (await store.ClaimOwnershipAsync([Ownership("2", "a")], default)).Single();
        Assert.Equal(CheckpointWrite.Written, await store.TryUpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "2", "a", new CheckpointPosition("100", 10), null, default));
        // b takes the partition over and moves on; a, still busy with an old batch, tries to checkpoint.
        await store.ClaimOwnershipAsync([Ownership("2", "b", a.Version)], default);
        Assert.Equal(CheckpointWrite.Written, await store.TryUpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "2", "b", new CheckpointPosition("500", 50), null, default));

        var late = await store.TryUpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "2", "a", new CheckpointPosition("200", 20), null, default);
        var back = await store.TryUpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "2", "b", new CheckpointPosition("300", 30), null, default);
        var stored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "2", default);

        Assert.Equal(CheckpointWrite.NotOwner, late);
        Assert.Equal(CheckpointWrite.Behind, back);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("500", isInclusive: false), stored!.StartingPosition);
    }

    [Fact]
    public async Task Checkpoint_ManyWritersAtOnce_TheFurthestStaysAndNoneFails()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);
        await store.ClaimOwnershipAsync([Ownership("4", "a")], default);

        var writes = await Task.WhenAll(Enumerable.Range(1, 12).Select(i =>
            store.TryUpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "4", "a", new CheckpointPosition((i * 100).ToString(System.Globalization.CultureInfo.InvariantCulture), i), null, default)));
        var stored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "4", default);

        Assert.All(writes, w => Assert.NotEqual(CheckpointWrite.NotOwner, w));
        Assert.Contains(CheckpointWrite.Written, writes);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("1200", isInclusive: false), stored!.StartingPosition);
    }

    [Fact]
    public async Task Claim_NewRowThatAnotherCreatedFirst_IsNotClaimed()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);
        await store.ClaimOwnershipAsync([Ownership("0", "a")], default);

        var late = await store.ClaimOwnershipAsync([Ownership("0", "b")], default);

        Assert.Empty(late);
    }

    [Fact]
    public async Task Checkpoint_Written_ResumesAfterTheLastHandledEvent()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);

        var before = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "5", default);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "5", "proc-1", new CheckpointPosition("4100", 41), default);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "5", "proc-1", new CheckpointPosition("9900", 99), default);
        var after = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "5", default);
        var listed = await store.ListCheckpointsAsync(Namespace, ConsumerTestSetup.Hub, Group, default);

        Assert.Null(before);
        Assert.NotNull(after);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("9900", isInclusive: false), after.StartingPosition);
        Assert.Equal("proc-1", after.ClientIdentifier);
        Assert.Equal("5", Assert.Single(listed).PartitionId);
    }

    [Fact]
    public async Task ListSequenceNumbers_EachPartitionsLastCheckpoint()
    {
        var (store, _) = await ConsumerTestSetup.TablesAsync(azurite);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "0", "proc-1", new CheckpointPosition("70", 7), default);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "0", "proc-1", new CheckpointPosition("90", 9), default);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, Group, "1", "proc-2", new CheckpointPosition("40", 4), default);
        await store.ClaimOwnershipAsync([Ownership("1", "proc-2")], default);
        await store.UpdateCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "other", "1", "proc-2", new CheckpointPosition("50", 5), default);

        var numbers = await store.ListSequenceNumbersAsync(Namespace, ConsumerTestSetup.Hub, Group, default);

        Assert.Equal(new Dictionary<string, long> { ["0"] = 9, ["1"] = 4 }, numbers);
    }
}
