namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>The HTTP app layer's bounds, from the IDS options.</summary>
/// <param name="HeadBytes">Largest start line + header block; a longer head ends HTTP parsing of the flow (counted).</param>
/// <param name="RequestBodyBytes">Request body bytes kept for inspection (Suricata's request-body-limit).</param>
/// <param name="ResponseBodyBytes">Response body bytes kept for inspection (Suricata's response-body-limit).</param>
/// <param name="PendingRequests">Pipelined requests kept while waiting for their responses.</param>
internal readonly record struct HttpLimits(int HeadBytes, int RequestBodyBytes, int ResponseBodyBytes, int PendingRequests);

/// <summary>What the HTTP app layer hands the detector, at the moments rules can be matched.</summary>
internal interface IHttpTransactionSink
{
    /// <summary>A request's head is complete (request-line and header rules).</summary>
    void RequestHead(HttpMessage request);

    /// <summary>A request is complete, body included (body and raw-message rules).</summary>
    void RequestComplete(HttpMessage request);

    /// <summary>A final response's head is complete; <paramref name="request"/> is the one it answers, if known.</summary>
    void ResponseHead(HttpMessage? request, HttpMessage response);

    /// <summary>A final response is complete, body included.</summary>
    void ResponseComplete(HttpMessage? request, HttpMessage response);
}
