using System.Reflection;
using Azure.Messaging.EventHubs.Primitives;
using AzNf.Ingest.Consumer;

namespace AzNf.Ingest.Tests.Consumer;

/// <summary>
/// The SDK's own partition load balancer (internal in Azure.Messaging.EventHubs 5.12.2), run
/// over a <see cref="PacketEventProcessor"/> the way the processor's running loop runs it: its
/// ownership calls go through the SDK's delegating checkpoint store to the processor's
/// <c>ListOwnershipAsync</c>/<c>ClaimOwnershipAsync</c> overrides, hence to the Table store.
/// Without a broker the loop itself cannot start (it asks the hub for partition ids), so the
/// test drives the cycles. Reflection on internals is pinned to the package version.
/// </summary>
internal sealed class SdkLoadBalancer
{
    private readonly object _balancer;
    private readonly MethodInfo _run;
    private readonly PropertyInfo _owned;

    /// <summary>
    /// The load-balancing interval. The balancer renews a claim only once it is older than this,
    /// so a processor notices a stolen partition one interval later; tests wait it between cycles
    /// as the processor's loop does.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public SdkLoadBalancer(PacketEventProcessor processor, TimeSpan expiry)
    {
        var assembly = typeof(EventProcessorPartition).Assembly;
        var createStore = typeof(EventProcessor<PacketPartition>).GetMethod("CreateCheckpointStore", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("EventProcessor.CreateCheckpointStore not found: the SDK changed; re-check the pinned version");
        var store = createStore.Invoke(null, [processor])!;
        var type = assembly.GetType("Azure.Messaging.EventHubs.Primitives.PartitionLoadBalancer", throwOnError: true)!;
        _balancer = Activator.CreateInstance(
            type,
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
            binder: null,
            [store, processor.Identifier, processor.ConsumerGroup, processor.FullyQualifiedNamespace, processor.EventHubName, expiry, Interval],
            culture: null)!;
        _run = type.GetMethod("RunLoadBalancingAsync", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
        _owned = type.GetProperty("OwnedPartitionIds", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
    }

    /// <summary>One load-balancing cycle, as the processor runs one per interval.</summary>
    public async Task RunCycleAsync(string[] partitionIds)
    {
        await Task.Delay(Interval);
        var pending = (ValueTask<EventProcessorPartitionOwnership>)_run.Invoke(_balancer, [partitionIds, CancellationToken.None])!;
        await pending;
    }

    public IReadOnlySet<string> Owned => ((IEnumerable<string>)_owned.GetValue(_balancer)!).ToHashSet();
}
