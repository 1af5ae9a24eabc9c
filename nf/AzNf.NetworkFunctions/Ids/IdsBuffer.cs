namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// What a content or pcre inspects: the packet or stream payload, or one of the HTTP buffers
/// the app layer fills per transaction (Suricata's sticky buffers).
/// </summary>
public enum IdsBuffer : byte
{
    /// <summary>The packet payload or reassembled stream; in an HTTP rule, the raw message of its side.</summary>
    Payload,
    HttpUri,
    HttpUriRaw,
    HttpMethod,
    HttpRequestLine,
    HttpProtocol,
    HttpHeader,
    HttpHeaderRaw,
    HttpHeaderNames,
    HttpStart,
    HttpUserAgent,
    HttpHost,
    HttpHostRaw,
    HttpCookie,
    HttpReferer,
    HttpAccept,
    HttpAcceptEncoding,
    HttpAcceptLanguage,
    HttpConnection,
    HttpContentType,
    HttpContentLength,
    HttpRequestBody,
    HttpStatCode,
    HttpStatMsg,
    HttpResponseLine,
    HttpServer,
    HttpLocation,
    HttpResponseBody,
    /// <summary><c>file.data</c>: the body of the rule's side (response body to_client, request body to_server).</summary>
    FileData,
    /// <summary><c>dns.query</c>: one question name of a DNS request, dotted (each question is inspected on its own).</summary>
    DnsQuery,
    /// <summary><c>tls.sni</c>: the server name of the client's TLS ClientHello.</summary>
    TlsSni,
}

/// <summary>Which message of an HTTP transaction a buffer comes from.</summary>
internal enum HttpBufferSide : byte
{
    /// <summary>Not an HTTP buffer.</summary>
    None,
    Request,
    Response,
    /// <summary>From the message of the rule's own direction (headers, content type, file data, ...).</summary>
    RuleDirection,
}

/// <summary>The names rules use for each buffer, and what each needs from the transaction.</summary>
internal static class IdsBuffers
{
    /// <summary>Suricata 5+ sticky-buffer keywords.</summary>
    public static readonly IReadOnlyDictionary<string, IdsBuffer> Sticky = new Dictionary<string, IdsBuffer>(StringComparer.Ordinal)
    {
        ["http.uri"] = IdsBuffer.HttpUri,
        ["http.uri.raw"] = IdsBuffer.HttpUriRaw,
        ["http.method"] = IdsBuffer.HttpMethod,
        ["http.request_line"] = IdsBuffer.HttpRequestLine,
        ["http.protocol"] = IdsBuffer.HttpProtocol,
        ["http.header"] = IdsBuffer.HttpHeader,
        ["http.header.raw"] = IdsBuffer.HttpHeaderRaw,
        ["http.header_names"] = IdsBuffer.HttpHeaderNames,
        ["http.start"] = IdsBuffer.HttpStart,
        ["http.user_agent"] = IdsBuffer.HttpUserAgent,
        ["http.host"] = IdsBuffer.HttpHost,
        ["http.host.raw"] = IdsBuffer.HttpHostRaw,
        ["http.cookie"] = IdsBuffer.HttpCookie,
        ["http.referer"] = IdsBuffer.HttpReferer,
        ["http.accept"] = IdsBuffer.HttpAccept,
        ["http.accept_enc"] = IdsBuffer.HttpAcceptEncoding,
        ["http.accept_lang"] = IdsBuffer.HttpAcceptLanguage,
        ["http.connection"] = IdsBuffer.HttpConnection,
        ["http.content_type"] = IdsBuffer.HttpContentType,
        ["http.content_len"] = IdsBuffer.HttpContentLength,
        ["http.request_body"] = IdsBuffer.HttpRequestBody,
        ["http.stat_code"] = IdsBuffer.HttpStatCode,
        ["http.stat_msg"] = IdsBuffer.HttpStatMsg,
        ["http.response_line"] = IdsBuffer.HttpResponseLine,
        ["http.server"] = IdsBuffer.HttpServer,
        ["http.location"] = IdsBuffer.HttpLocation,
        ["http.response_body"] = IdsBuffer.HttpResponseBody,
        ["file.data"] = IdsBuffer.FileData,
        ["file_data"] = IdsBuffer.FileData,
        ["dns.query"] = IdsBuffer.DnsQuery,
        ["dns_query"] = IdsBuffer.DnsQuery,
        ["tls.sni"] = IdsBuffer.TlsSni,
        ["tls_sni"] = IdsBuffer.TlsSni,
        // The pre-5.0 spellings of sticky buffers that never were content modifiers.
        ["http_request_line"] = IdsBuffer.HttpRequestLine,
        ["http_response_line"] = IdsBuffer.HttpResponseLine,
        ["http_header_names"] = IdsBuffer.HttpHeaderNames,
        ["http_protocol"] = IdsBuffer.HttpProtocol,
        ["http_start"] = IdsBuffer.HttpStart,
        ["http_accept"] = IdsBuffer.HttpAccept,
        ["http_accept_enc"] = IdsBuffer.HttpAcceptEncoding,
        ["http_accept_lang"] = IdsBuffer.HttpAcceptLanguage,
        ["http_connection"] = IdsBuffer.HttpConnection,
        ["http_content_type"] = IdsBuffer.HttpContentType,
        ["http_content_len"] = IdsBuffer.HttpContentLength,
        ["http_referer"] = IdsBuffer.HttpReferer,
        ["http_server"] = IdsBuffer.HttpServer,
        ["http_location"] = IdsBuffer.HttpLocation,
    };

    /// <summary>Legacy content modifiers (they move the content before them into the buffer).</summary>
    public static readonly IReadOnlyDictionary<string, IdsBuffer> Modifiers = new Dictionary<string, IdsBuffer>(StringComparer.Ordinal)
    {
        ["http_uri"] = IdsBuffer.HttpUri,
        ["http_raw_uri"] = IdsBuffer.HttpUriRaw,
        ["http_method"] = IdsBuffer.HttpMethod,
        ["http_header"] = IdsBuffer.HttpHeader,
        ["http_raw_header"] = IdsBuffer.HttpHeaderRaw,
        ["http_user_agent"] = IdsBuffer.HttpUserAgent,
        ["http_host"] = IdsBuffer.HttpHost,
        ["http_raw_host"] = IdsBuffer.HttpHostRaw,
        ["http_cookie"] = IdsBuffer.HttpCookie,
        ["http_client_body"] = IdsBuffer.HttpRequestBody,
        ["http_stat_code"] = IdsBuffer.HttpStatCode,
        ["http_stat_msg"] = IdsBuffer.HttpStatMsg,
        ["http_server_body"] = IdsBuffer.HttpResponseBody,
    };

    /// <summary>pcre flags that select a buffer (Suricata's).</summary>
    public static IdsBuffer? FromPcreFlag(char flag) => flag switch
    {
        'U' => IdsBuffer.HttpUri,
        'I' => IdsBuffer.HttpUriRaw,
        'M' => IdsBuffer.HttpMethod,
        'H' => IdsBuffer.HttpHeader,
        'D' => IdsBuffer.HttpHeaderRaw,
        'C' => IdsBuffer.HttpCookie,
        'P' => IdsBuffer.HttpRequestBody,
        'Q' => IdsBuffer.HttpResponseBody,
        'S' => IdsBuffer.HttpStatCode,
        'Y' => IdsBuffer.HttpStatMsg,
        'V' => IdsBuffer.HttpUserAgent,
        'W' => IdsBuffer.HttpHost,
        'Z' => IdsBuffer.HttpHostRaw,
        _ => null,
    };

    /// <summary>True for the DNS buffers (a DNS rule), false for HTTP ones.</summary>
    public static bool IsDns(IdsBuffer buffer) => buffer == IdsBuffer.DnsQuery;

    /// <summary>True for the TLS buffers (a TLS rule).</summary>
    public static bool IsTls(IdsBuffer buffer) => buffer == IdsBuffer.TlsSni;

    public static HttpBufferSide Side(IdsBuffer buffer) => buffer switch
    {
        IdsBuffer.Payload or IdsBuffer.DnsQuery or IdsBuffer.TlsSni => HttpBufferSide.None,
        IdsBuffer.HttpUri or IdsBuffer.HttpUriRaw or IdsBuffer.HttpMethod or IdsBuffer.HttpRequestLine
            or IdsBuffer.HttpUserAgent or IdsBuffer.HttpHost or IdsBuffer.HttpHostRaw or IdsBuffer.HttpReferer
            or IdsBuffer.HttpAccept or IdsBuffer.HttpAcceptEncoding or IdsBuffer.HttpAcceptLanguage
            or IdsBuffer.HttpRequestBody => HttpBufferSide.Request,
        IdsBuffer.HttpStatCode or IdsBuffer.HttpStatMsg or IdsBuffer.HttpResponseLine or IdsBuffer.HttpServer
            or IdsBuffer.HttpLocation or IdsBuffer.HttpResponseBody => HttpBufferSide.Response,
        _ => HttpBufferSide.RuleDirection,
    };

    /// <summary>True for buffers only complete once the message body is.</summary>
    public static bool IsBody(IdsBuffer buffer) =>
        buffer is IdsBuffer.HttpRequestBody or IdsBuffer.HttpResponseBody or IdsBuffer.FileData;

    /// <summary>Buffers whose bytes are lower-cased by the app layer, so a content must be lower case too.</summary>
    public static bool IsLowerCased(IdsBuffer buffer) => buffer is IdsBuffer.HttpHost;
}
