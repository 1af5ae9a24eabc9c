using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

[Collection(AzuriteFixture.Collection)]
public sealed class LoadBalancingTests(AzuriteFixture azurite)
{
    private static readonly string[] EightPartitions = ["0", "1", "2", "3", "4", "5", "6", "7"];

    private static ChainPartitionHandler Handler() => new(Partitions.ChainPartitionHandlerTests.CounterChain(), 8);

    [Fact]
    public async Task TwoProcessors_EightPartitions_ConvergeToFourEach()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var a = new SdkLoadBalancer(ConsumerTestSetup.Processor(store, deadLetters, Handler(), "proc-a"), TimeSpan.FromSeconds(30));
        var b = new SdkLoadBalancer(ConsumerTestSetup.Processor(store, deadLetters, Handler(), "proc-b"), TimeSpan.FromSeconds(30));

        // A starts first and grabs what it can; B joins after a few cycles and must steal its
        // share; A learns of each steal when its renewal of that claim fails (ETag changed).
        for (int cycle = 0; cycle < 5; cycle++)
        {
            await a.RunCycleAsync(EightPartitions);
        }
        int aAlone = a.Owned.Count;
        for (int cycle = 0; cycle < 60 && !(a.Owned.Count == 4 && b.Owned.Count == 4); cycle++)
        {
            await a.RunCycleAsync(EightPartitions);
            await b.RunCycleAsync(EightPartitions);
        }
        var listed = (await store.ListOwnershipAsync(ConsumerTestSetup.FakeConnectionString.Split('/')[2], ConsumerTestSetup.Hub, "$Default", default)).ToList();

        Assert.Equal(5, aAlone);
        Assert.Equal(4, a.Owned.Count);
        Assert.Equal(4, b.Owned.Count);
        Assert.Empty(a.Owned.Intersect(b.Owned));
        Assert.Equal(4, listed.Count(o => o.OwnerIdentifier == "proc-a"));
        Assert.Equal(4, listed.Count(o => o.OwnerIdentifier == "proc-b"));
    }

    [Fact]
    public async Task DeadOwner_AfterExpiry_ItsPartitionsAreTaken()
    {
        var expiry = TimeSpan.FromSeconds(3);
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var dead = new SdkLoadBalancer(ConsumerTestSetup.Processor(store, deadLetters, Handler(), "proc-dead"), expiry);
        var survivor = new SdkLoadBalancer(ConsumerTestSetup.Processor(store, deadLetters, Handler(), "proc-live"), expiry);
        for (int cycle = 0; cycle < 8; cycle++)
        {
            await dead.RunCycleAsync(EightPartitions);
        }

        // While the owner's claims are fresh the survivor may take only its fair half.
        for (int cycle = 0; cycle < 8; cycle++)
        {
            await survivor.RunCycleAsync(EightPartitions);
        }
        int beforeExpiry = survivor.Owned.Count;
        await Task.Delay(expiry + TimeSpan.FromSeconds(1));
        for (int cycle = 0; cycle < 8; cycle++)
        {
            await survivor.RunCycleAsync(EightPartitions);
        }

        Assert.Equal(8, dead.Owned.Count);
        Assert.Equal(4, beforeExpiry);
        Assert.Equal(8, survivor.Owned.Count);
    }
}
