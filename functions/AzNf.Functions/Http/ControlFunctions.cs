using AzNf.Functions.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace AzNf.Functions.Http;

/// <summary>
/// The control API's HTTP functions (function-key auth). Each hands its durable client to the
/// instance's <see cref="DurableClientSlot"/> and translates between HTTP and <see cref="ControlApi"/>.
/// </summary>
public sealed class ControlFunctions(ControlApi api, DurableClientSlot clients)
{
    [Function("ChainStart")]
    public Task<HttpResponseData> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/start")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.StartAsync(chain, Cancellation(request)));

    [Function("ChainStop")]
    public Task<HttpResponseData> Stop(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/stop")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.StopAsync(chain, Cancellation(request)));

    [Function("ChainRules")]
    public Task<HttpResponseData> ReplaceRules(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "chains/{chain}/rules")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.ReplaceRulesAsync(chain, Checked(request).Body, DeclaredLength(request), Cancellation(request)));

    [Function("FlowState")]
    public Task<HttpResponseData> Flow(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "flows")] HttpRequestData request,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.FlowAsync(Checked(request).Query["key"], Cancellation(request)));

    [Function("Stats")]
    public Task<HttpResponseData> Stats(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "stats")] HttpRequestData request,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.StatsAsync(Cancellation(request)));

    [Function("PacketPost")]
    public Task<HttpResponseData> PostPackets(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chains/{chain}/packets")] HttpRequestData request,
        string chain,
        [DurableClient] DurableTaskClient client) =>
        Answer(request, client, api.PostPacketsAsync(chain, Checked(request).Body, DeclaredLength(request), Cancellation(request)));

    private async Task<HttpResponseData> Answer(HttpRequestData request, DurableTaskClient client, Task<ApiResponse> answer)
    {
        clients.Offer(client);
        var result = await answer;
        var response = request.CreateResponse(result.Status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await response.WriteStringAsync(result.Json);
        return response;
    }

    private static HttpRequestData Checked(HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request;
    }

    private static CancellationToken Cancellation(HttpRequestData request) => Checked(request).FunctionContext.CancellationToken;

    private static long? DeclaredLength(HttpRequestData request) =>
        request.Headers.TryGetValues("Content-Length", out var values) && long.TryParse(values.FirstOrDefault(), out long length) ? length : null;
}
