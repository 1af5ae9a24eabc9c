using System.Net;
using System.Text.Json;
using Azure;
using AzNf.Functions.Durable;
using AzNf.Functions.Ingestion;
using AzNf.Functions.Settings;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions.Http;

/// <summary>
/// The control API (function-key auth): start and stop the chain's input, replace its rules, read
/// a flow's state and the stats, and post a capture through the chain without Event Hubs.
/// Bad requests get a 4xx with a reason; a task hub that cannot be reached gets a 503.
/// </summary>
public sealed class ControlFunctions(
    FunctionsSettings settings,
    DurableClientSlot clients,
    IChainTaskHub hub,
    ChainIngestionService ingestion,
    ILogger<ControlFunctions> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [Function("ChainStart")]
    public Task<HttpResponseData> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/start")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, chain, async cancellation =>
        {
            long rules = await EnsureRulesAsync(cancellation);
            await hub.SignalEntityAsync(ChainSwitchEntity.Name, chain, nameof(ChainSwitchEntity.Start), "http", cancellation);
            return await Respond(request, HttpStatusCode.Accepted, new { chain, running = true, rulesVersion = rules, takesEffectWithin = settings.ControlPoll });
        });

    [Function("ChainStop")]
    public Task<HttpResponseData> Stop(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/stop")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, chain, async cancellation =>
        {
            await hub.SignalEntityAsync(ChainSwitchEntity.Name, chain, nameof(ChainSwitchEntity.Stop), "http", cancellation);
            return await Respond(request, HttpStatusCode.Accepted, new { chain, running = false, takesEffectWithin = settings.ControlPoll });
        });

    [Function("ChainRules")]
    public Task<HttpResponseData> ReplaceRules(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "chains/{chain}/rules")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, chain, async cancellation =>
        {
            var (body, tooLarge) = await ReadBodyAsync(request, settings.MaxPostBytes, cancellation);
            if (tooLarge is not null)
            {
                return await Refuse(request, tooLarge);
            }
            if (ControlRequests.ParseRules(body, settings.Chain, out var text) is { } refused)
            {
                return await Refuse(request, refused);
            }
            long version = await TaskHubChains.PublishRulesAsync(hub, chain, text!, cancellation);
            return await Respond(request, HttpStatusCode.OK, new { chain, rulesVersion = version });
        });

    [Function("FlowState")]
    public Task<HttpResponseData> Flow(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "flows")] HttpRequestData request,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, settings.Chain.Name, async cancellation =>
        {
            string? key = request.Query["key"];
            if (ControlRequests.CheckFlowKey(key) is { } refused)
            {
                return await Refuse(request, refused);
            }
            var state = await hub.GetEntityStateAsync<FlowEntityState>(FlowEntity.Name, key!, cancellation);
            if (state is null)
            {
                return await Refuse(request, new ApiError(HttpStatusCode.NotFound, "unknown flow", $"query 'key': no flow '{key}' in task hub {settings.TaskHubName}"));
            }
            return await Respond(request, HttpStatusCode.OK, new
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

    [Function("Stats")]
    public Task<HttpResponseData> Stats(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "stats")] HttpRequestData request,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, settings.Chain.Name, async cancellation =>
        {
            var chainSwitch = await hub.GetEntityStateAsync<ChainSwitchState>(ChainSwitchEntity.Name, settings.Chain.Name, cancellation);
            var rules = await hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, settings.Chain.Name, cancellation);
            var counters = await hub.GetEntityStateAsync<GlobalCountersState>(GlobalCountersEntity.Name, GlobalCountersEntity.Key, cancellation);
            return await Respond(request, HttpStatusCode.OK, new
            {
                chain = settings.Chain.Name,
                taskHub = settings.TaskHubName,
                running = chainSwitch?.Running ?? false,
                rulesVersion = rules?.Version ?? 0,
                counters,
                instance = new { name = Environment.MachineName, ingestion = ingestion.Status() },
            });
        });

    [Function("PacketPost")]
    public Task<HttpResponseData> PostPackets(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/packets")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Guarded(request, client, chain, async cancellation =>
        {
            var (body, tooLarge) = await ReadBodyAsync(request, settings.MaxPostBytes, cancellation);
            if (tooLarge is not null)
            {
                return await Refuse(request, tooLarge);
            }
            if (body.Length == 0)
            {
                return await Refuse(request, new ApiError(HttpStatusCode.BadRequest, "empty body", "body: post a pcap or pcapng capture"));
            }
            await EnsureRulesAsync(cancellation);
            try
            {
                var report = await PacketPost.RunAsync(hub, settings.Chain, body, "posted capture", settings.Partitions, settings.MaxPostPackets, new DurableChainOptions { MaxUnitsInFlight = settings.MaxUnitsInFlight }, cancellation);
                var response = request.CreateResponse(HttpStatusCode.OK);
                response.Headers.Add("Content-Type", "application/json; charset=utf-8");
                await response.WriteStringAsync(report.ToJson(), cancellation);
                return response;
            }
            catch (CaptureFormatException e)
            {
                return await Refuse(request, new ApiError(HttpStatusCode.BadRequest, "unusable capture", e.Message));
            }
            catch (PacketPostLimitException e)
            {
                return await Refuse(request, new ApiError(HttpStatusCode.RequestEntityTooLarge, "too many packets", $"{e.Message}; the limit is {FunctionsSettings.MaxPostPacketsSetting}"));
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

    private async Task<HttpResponseData> Guarded(HttpRequestData request, DurableTaskClient client, string chain, Func<CancellationToken, Task<HttpResponseData>> handle)
    {
        clients.Offer(client);
        if (ControlRequests.CheckChain(chain, settings.Chain) is { } unknown)
        {
            return await Refuse(request, unknown);
        }
        var cancellation = request.FunctionContext.CancellationToken;
        try
        {
            return await handle(cancellation);
        }
        catch (Exception e) when (e is RpcException or RequestFailedException or TimeoutException or DurableClientUnavailableException)
        {
            logger.LogError(e, "{Method} {Url}: the task hub did not answer", request.Method, request.Url);
            return await Refuse(request, new ApiError(HttpStatusCode.ServiceUnavailable, "task hub unavailable", e.Message));
        }
    }

    private static async Task<(byte[] Body, ApiError? TooLarge)> ReadBodyAsync(HttpRequestData request, int limit, CancellationToken cancellation)
    {
        var tooLarge = new ApiError(HttpStatusCode.RequestEntityTooLarge, "body too large", $"body: more than {limit} bytes (the limit is {FunctionsSettings.MaxPostBytesSetting})");
        if (request.Headers.TryGetValues("Content-Length", out var lengths) && long.TryParse(lengths.FirstOrDefault(), out long declared) && declared > limit)
        {
            return ([], tooLarge);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return ([], tooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), null);
    }

    private static async Task<HttpResponseData> Respond(HttpRequestData request, HttpStatusCode status, object body)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(JsonSerializer.Serialize(body, Json));
        return response;
    }

    private static Task<HttpResponseData> Refuse(HttpRequestData request, ApiError error) =>
        Respond(request, error.Status, new { error = error.Error, detail = error.Detail });
}
