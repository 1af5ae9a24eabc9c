using AzNf.NetworkFunctions.Ids.Http;
using AzNf.NetworkFunctions.Ids.Tls;

namespace AzNf.NetworkFunctions.Ids.AppLayer;

/// <summary>What the app layer hands the detector, at the moments rules can be matched.</summary>
internal interface IAppLayerSink
{
    /// <summary>A request's head is complete (request-line and header rules).</summary>
    void RequestHead(HttpMessage request);

    /// <summary>A request is complete, body included (body and raw-message rules).</summary>
    void RequestComplete(HttpMessage request);

    /// <summary>A final response's head is complete.</summary>
    void ResponseHead(HttpMessage response);

    /// <summary>A final response is complete, body included.</summary>
    void ResponseComplete(HttpMessage response);

    /// <summary>A TLS ClientHello is complete: its server name (if any) can be matched.</summary>
    void TlsClientHello(TlsClientHello hello);

    /// <summary>A DNS message from the client over TCP is complete (without its length prefix).</summary>
    void DnsMessage(ReadOnlySpan<byte> message);
}
