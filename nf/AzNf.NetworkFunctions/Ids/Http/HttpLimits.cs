namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>The HTTP app layer's bounds, from the IDS options.</summary>
/// <param name="HeadBytes">Largest start line + header block; a longer head ends HTTP parsing of the flow (counted).</param>
/// <param name="RequestBodyBytes">Request body bytes kept for inspection (Suricata's request-body-limit).</param>
/// <param name="ResponseBodyBytes">Response body bytes kept for inspection (Suricata's response-body-limit).</param>
/// <param name="PendingRequests">Pipelined requests kept while waiting for their responses.</param>
internal readonly record struct HttpLimits(int HeadBytes, int RequestBodyBytes, int ResponseBodyBytes, int PendingRequests);
