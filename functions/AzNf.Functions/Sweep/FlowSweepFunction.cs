using AzNf.Functions.Durable;
using AzNf.Functions.Settings;
using AzNf.Orchestrations.Hub;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions.Sweep;

/// <summary>
/// Every five minutes: expires live flows whose scheduled expiry was lost and removes tombstones
/// older than <see cref="FunctionsSettings.TombstoneRetention"/> (see <see cref="IdleFlowSweep"/>).
/// A timer trigger runs on one instance at a time, so flows are swept once.
/// </summary>
public sealed class FlowSweepFunction(FunctionsSettings settings, IChainTaskHub hub, DurableClientSlot clients, ILogger<FlowSweepFunction> logger)
{
    [Function("FlowSweep")]
    public async Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(timer);
        clients.Offer(client);
        var options = new IdleFlowSweepOptions { TombstoneRetention = settings.TombstoneRetention };
        var result = await IdleFlowSweep.SweepAsync(hub, DateTime.UtcNow, options, cancellation);
        FunctionsLog.FlowSweep(
            logger,
            result.Scanned,
            result.Live,
            result.Tombstones,
            result.ExpireSignals,
            result.DeleteSignals,
            result.Truncated ? $"; stopped at the limit of {options.MaxSignalsPerSweep}, the rest goes next time" : string.Empty);
    }
}
