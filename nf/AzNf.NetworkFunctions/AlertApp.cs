using System.Text;
using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions;

/// <summary>
/// The HTTP transaction an alert was raised on, as Suricata's EVE <c>http</c> object gives it:
/// <c>hostname</c> (lower case, no port), <c>url</c> (the raw request target), the method,
/// user agent and protocol; the response's status and content type when the match was on it.
/// Null members: the transaction had no such part.
/// </summary>
public sealed record AlertHttp(string? Hostname, string? Url, string? Method, string? UserAgent, string? Protocol, int? Status, string? ContentType)
{
    internal static AlertHttp From(IInspectionBuffers buffers)
    {
        string? Text(IdsBuffer buffer) => buffers.TryGet(buffer, out var bytes) ? Encoding.Latin1.GetString(bytes) : null;
        string? status = Text(IdsBuffer.HttpStatCode);
        return new AlertHttp(
            Text(IdsBuffer.HttpHost),
            Text(IdsBuffer.HttpUriRaw),
            Text(IdsBuffer.HttpMethod),
            Text(IdsBuffer.HttpUserAgent),
            Text(IdsBuffer.HttpProtocol),
            int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code) ? code : null,
            Text(IdsBuffer.HttpContentType));
    }
}
