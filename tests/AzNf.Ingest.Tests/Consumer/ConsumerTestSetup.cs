using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Primitives;
using AzNf.Ingest.Consumer;
using AzNf.Partitions;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

/// <summary>Processors over tables of a test's own in the shared Azurite, with no hub behind them.</summary>
internal static class ConsumerTestSetup
{
    /// <summary>Not a secret: a made-up namespace and key, never connected to (no broker runs here).</summary>
    public const string FakeConnectionString = "Endpoint=sb://aznf-test.servicebus.windows.net/;SharedAccessKeyName=test;SharedAccessKey=dGVzdA==";
    public const string Hub = "packets";

    public static async Task<(TableCheckpointStore Store, DeadLetterTable DeadLetters)> TablesAsync(AzuriteFixture azurite)
    {
        var store = new TableCheckpointStore(new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("ckpt")));
        var deadLetters = new DeadLetterTable(new TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("dead")));
        await store.CreateIfNotExistsAsync();
        await deadLetters.CreateIfNotExistsAsync();
        return (store, deadLetters);
    }

    public static PacketEventProcessor Processor(TableCheckpointStore store, DeadLetterTable deadLetters, IPartitionBatchHandler handler, string identifier, TimeSpan? expiry = null) =>
        new(FakeConnectionString, Hub, store, deadLetters, handler, new PacketProcessorOptions
        {
            Processor = new EventProcessorOptions
            {
                Identifier = identifier,
                PartitionOwnershipExpirationInterval = expiry ?? TimeSpan.FromSeconds(30),
                LoadBalancingUpdateInterval = TimeSpan.FromSeconds(1),
            },
        });
}
