using System.Net;
using System.Text.Json;
using AzNf.Functions.Durable;
using AzNf.Functions.Ingestion;
using AzNf.Functions.Settings;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using Azure;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions.Http;

/// <summary>
/// The control API behind the HTTP functions, over any task hub: start and stop the chain's
/// input, replace its rules, read a flow's state and the stats, and run a posted capture through
/// the chain without Event Hubs. Bad requests get a 4xx with a reason naming the part at fault;
/// a task hub that cannot be reached gets a 503. Nothing a caller sends gives a 500.
/// </summary>
public sealed class ControlApi(FunctionsSettings settings, IChainTaskHub hub, Func<IngestionStatus> ingestion, ILogger<ControlApi> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Task<ApiResponse> StartAsync(string chain, CancellationToken cancellation) =>
        Guarded(chain, async () =>
        {
            long rules = await EnsureRulesAsync(cancellation);
            await hub.SignalEntityAsync(ChainSwitchEntity.Name, chain, nameof(ChainSwitchEntity.Start), "http", cancellation);
            return Respond(HttpStatusCode.Accepted, new { chain, running = true, rulesVersion = rules, takesEffectWithinSeconds = settings.ControlPoll.TotalSeconds });
        });

    public Task<ApiResponse> StopAsync(string chain, CancellationToken cancellation) =>
        Guarded(chain, async () =>
        {
            await hub.SignalEntityAsync(ChainSwitchEntity.Name, chain, nameof(ChainSwitchEntity.Stop), "http", cancellation);
            return Respond(HttpStatusCode.Accepted, new { chain, running = false, takesEffectWithinSeconds = settings.ControlPoll.TotalSeconds });
        });

    public Task<ApiResponse> ReplaceRulesAsync(string chain, Stream body, long? declaredLength, CancellationToken cancellation) =>
        Guarded(chain, async () =>
        {
            var (bytes, tooLarge) = await ReadBodyAsync(body, declaredLength, cancellation);
            if (tooLarge is not null)
            {
                return Refuse(tooLarge);
            }
            if (ControlRequests.ParseRules(bytes, settings.Chain, out var text, out var warnings) is { } refused)
            {
                return Refuse(refused);
            }
            long version = await TaskHubChains.PublishRulesAsync(hub, chain, text!, cancellation);
            return Respond(HttpStatusCode.OK, new { chain, rulesVersion = version, warnings = warnings.Select(w => w.ToString()) });
        });

    public Task<ApiResponse> FlowAsync(string? key, CancellationToken cancellation) =>
        Guarded(settings.Chain.Name, async () =>
        {
            if (ControlRequests.CheckFlowKey(key) is { } refused)
            {
                return Refuse(refused);
            }
            var state = await TaskHubChains.ReadFlowAsync(hub, settings.Chain, settings.Chain.Granularity, settings.FlowShards, key!, cancellation);
            if (state is null)
            {
                return Refuse(new ApiError(HttpStatusCode.NotFound, "unknown flow", $"query 'key': no flow '{key}' in task hub {settings.TaskHubName}"));
            }
            return Respond(HttpStatusCode.OK, new
            {
                key,
                version = state.Version,
                live = state.Snapshot is not null,
                lastAppliedUtc = state.LastAppliedUtc,
                idleTimeoutSeconds = state.IdleTimeoutSeconds,
                expiryDueUtc = state.ExpiryDueUtc,
                ignoredApplies = state.IgnoredApplies,
                flow = state.Snapshot is { } snapshot ? WorkResultTally.EndOfRun(key!, snapshot) : null,
            });
        });

    public Task<ApiResponse> StatsAsync(CancellationToken cancellation) =>
        Guarded(settings.Chain.Name, async () =>
        {
            var chainSwitch = await hub.GetEntityStateAsync<ChainSwitchState>(ChainSwitchEntity.Name, settings.Chain.Name, cancellation);
            var rules = await hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, settings.Chain.Name, cancellation);
            var counters = await hub.GetEntityStateAsync<GlobalCountersState>(GlobalCountersEntity.Name, GlobalCountersEntity.Key, cancellation);
            return Respond(HttpStatusCode.OK, new
            {
                chain = settings.Chain.Name,
                taskHub = settings.TaskHubName,
                running = chainSwitch?.Running ?? false,
                switchVersion = chainSwitch?.Version ?? 0,
                rulesVersion = rules?.Version ?? 0,
                counters,
                instance = new { name = Environment.MachineName, ingestion = ingestion() },
            });
        });

    public Task<ApiResponse> PostPacketsAsync(string chain, Stream body, long? declaredLength, CancellationToken cancellation) =>
        Guarded(chain, async () =>
        {
            var (bytes, tooLarge) = await ReadBodyAsync(body, declaredLength, cancellation);
            if (tooLarge is not null)
            {
                return Refuse(tooLarge);
            }
            if (bytes.Length == 0)
            {
                return Refuse(new ApiError(HttpStatusCode.BadRequest, "empty body", "body: post a pcap or pcapng capture"));
            }
            await EnsureRulesAsync(cancellation);
            try
            {
                var report = await PacketPost.RunAsync(hub, settings.Chain, bytes, "posted capture", settings.Partitions, settings.MaxPostPackets, new DurableChainOptions { MaxUnitsInFlight = settings.MaxUnitsInFlight, FlowShards = settings.FlowShards }, cancellation);
                return new ApiResponse(HttpStatusCode.OK, report.ToJson());
            }
            catch (CaptureFormatException e)
            {
                return Refuse(new ApiError(HttpStatusCode.BadRequest, "unusable capture", e.Message));
            }
            catch (PacketPostLimitException e)
            {
                return Refuse(new ApiError(HttpStatusCode.RequestEntityTooLarge, "too many packets", $"{e.Message}; the limit is {FunctionsSettings.MaxPostPacketsSetting}"));
            }
        });

    /// <summary>Puts the chain file's rules in the RuleSet entity if it has none yet (a rule update through the API is kept).</summary>
    private async Task<long> EnsureRulesAsync(CancellationToken cancellation)
    {
        var current = await hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, settings.Chain.Name, cancellation);
        return current is { Version: > 0 }
            ? current.Version
            : await TaskHubChains.PublishRulesAsync(hub, settings.Chain.Name, RuleSetText.FromChainFile(settings.ChainFile), cancellation);
    }

    private async Task<ApiResponse> Guarded(string chain, Func<Task<ApiResponse>> handle)
    {
        if (ControlRequests.CheckChain(chain, settings.Chain) is { } unknown)
        {
            return Refuse(unknown);
        }
        try
        {
            return await handle();
        }
        catch (Exception e) when (e is RpcException or RequestFailedException or TimeoutException or DurableClientUnavailableException)
        {
            FunctionsLog.TaskHubUnavailable(logger, e, chain);
            return Refuse(new ApiError(HttpStatusCode.ServiceUnavailable, "task hub unavailable", e.Message));
        }
    }

    // The declared length refuses an oversize post before reading it; the count while reading
    // catches a body sent without one (chunked) or with a false one.
    private async Task<(byte[] Body, ApiError? TooLarge)> ReadBodyAsync(Stream body, long? declaredLength, CancellationToken cancellation)
    {
        int limit = settings.MaxPostBytes;
        var tooLarge = new ApiError(HttpStatusCode.RequestEntityTooLarge, "body too large", $"body: more than {limit} bytes (the limit is {FunctionsSettings.MaxPostBytesSetting})");
        if (declaredLength > limit)
        {
            return ([], tooLarge);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ([], tooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), null);
    }

    private static ApiResponse Respond(HttpStatusCode status, object body) => new(status, JsonSerializer.Serialize(body, Json));

    private static ApiResponse Refuse(ApiError error) => Respond(error.Status, new { error = error.Error, detail = error.Detail });
}
