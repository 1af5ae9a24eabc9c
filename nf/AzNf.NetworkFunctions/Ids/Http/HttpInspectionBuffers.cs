using AzNf.NetworkFunctions.Ids.AppLayer;
using System.Text;

namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>
/// The buffers HTTP rules inspect, for one transaction at one moment, made on demand from the
/// request and response messages and cached until the next <see cref="Set"/>. One per partition;
/// its scratch arrays grow to the largest buffer seen and are reused.
/// </summary>
/// <remarks>
/// Normalisation follows Suricata 7 with libhtp's IDS personality, checked against Suricata
/// 7.0.10 (docs/ids.md): <c>http.uri</c> is the path and query of the target (an absolute-form
/// target loses scheme and authority), percent-decoded except <c>%2F</c>, dot segments removed
/// (after decoding), no separator compression, backslashes kept, <c>+</c> and <c>%u</c> kept,
/// invalid escapes kept. <c>http.header</c> is <c>Name: value\r\n</c> per field without Cookie and
/// Set-Cookie; <c>http.host</c> is the host of an absolute target, else of the Host header,
/// lower-cased, without the port.
/// </remarks>
internal sealed class HttpInspectionBuffers : IInspectionBuffers
{
    private HttpMessage? _request;
    private HttpMessage? _response;
    private bool _responseSide;
    private readonly Scratch _uri = new();
    private readonly Scratch _header = new();
    private readonly Scratch _names = new();
    private readonly Scratch _host = new();
    private readonly Scratch _raw = new();

    /// <summary>The transaction to inspect; <paramref name="responseSide"/> picks the message of direction-dependent buffers.</summary>
    public void Set(HttpMessage? request, HttpMessage? response, bool responseSide)
    {
        _request = request;
        _response = response;
        _responseSide = responseSide;
        _uri.Valid = _header.Valid = _names.Valid = _host.Valid = _raw.Valid = false;
    }

    /// <summary>The bytes of <paramref name="buffer"/>; false when the transaction has no such buffer.</summary>
    public bool TryGet(IdsBuffer buffer, out ReadOnlySpan<byte> span)
    {
        span = default;
        var side = _responseSide ? _response : _request;
        switch (buffer)
        {
            case IdsBuffer.Payload:
                return side is not null && Raw(side, out span);
            case IdsBuffer.HttpUri:
                return _request is not null && Uri(_request, out span);
            case IdsBuffer.HttpUriRaw:
                return Part(_request, HeadPart.Second, out span);
            case IdsBuffer.HttpMethod:
                return Part(_request, HeadPart.First, out span);
            case IdsBuffer.HttpRequestLine:
                return Part(_request, HeadPart.StartLine, out span);
            case IdsBuffer.HttpProtocol:
                return Part(side, _responseSide ? HeadPart.First : HeadPart.Third, out span);
            case IdsBuffer.HttpStatCode:
                return Part(_response, HeadPart.Second, out span);
            case IdsBuffer.HttpStatMsg:
                return Part(_response, HeadPart.Third, out span);
            case IdsBuffer.HttpResponseLine:
                return Part(_response, HeadPart.StartLine, out span);
            case IdsBuffer.HttpStart:
                if (side is null)
                {
                    return false;
                }
                span = side.HeadSpan;
                return true;
            case IdsBuffer.HttpHeaderRaw:
                return Part(side, HeadPart.HeaderLines, out span);
            case IdsBuffer.HttpHeader:
                return side is not null && Header(side, out span);
            case IdsBuffer.HttpHeaderNames:
                return side is not null && Names(side, out span);
            case IdsBuffer.HttpHost:
                return _request is not null && Host(_request, out span);
            case IdsBuffer.HttpHostRaw:
                return Field(_request, "Host"u8, out span);
            case IdsBuffer.HttpUserAgent:
                return Field(_request, "User-Agent"u8, out span);
            case IdsBuffer.HttpReferer:
                return Field(_request, "Referer"u8, out span);
            case IdsBuffer.HttpAccept:
                return Field(_request, "Accept"u8, out span);
            case IdsBuffer.HttpAcceptEncoding:
                return Field(_request, "Accept-Encoding"u8, out span);
            case IdsBuffer.HttpAcceptLanguage:
                return Field(_request, "Accept-Language"u8, out span);
            case IdsBuffer.HttpCookie:
                return Field(side, _responseSide ? "Set-Cookie"u8 : "Cookie"u8, out span);
            case IdsBuffer.HttpConnection:
                return Field(side, "Connection"u8, out span);
            case IdsBuffer.HttpContentType:
                return Field(side, "Content-Type"u8, out span);
            case IdsBuffer.HttpContentLength:
                return Field(side, "Content-Length"u8, out span);
            case IdsBuffer.HttpServer:
                return Field(_response, "Server"u8, out span);
            case IdsBuffer.HttpLocation:
                return Field(_response, "Location"u8, out span);
            case IdsBuffer.HttpRequestBody:
                return Body(_request, out span);
            case IdsBuffer.HttpResponseBody:
                return Body(_response, out span);
            case IdsBuffer.FileData:
                return Body(side, out span);
            default:
                return false;
        }
    }

    private static bool Part(HttpMessage? message, HeadPart part, out ReadOnlySpan<byte> span)
    {
        if (message is null || !message.HeadComplete)
        {
            span = default;
            return false;
        }
        span = message.Slice(part switch
        {
            HeadPart.First => message.First,
            HeadPart.Second => message.Second,
            HeadPart.Third => message.Third,
            HeadPart.StartLine => message.StartLine,
            _ => message.HeaderLines.Start..message.HeadLength,
        });
        return true;
    }

    private enum HeadPart
    {
        First,
        Second,
        Third,
        StartLine,
        /// <summary>The header lines as received, with the blank line that ends them.</summary>
        HeaderLines,
    }

    private static bool Field(HttpMessage? message, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> span)
    {
        span = default;
        return message is not null && message.TryGetValue(name, out span);
    }

    private static bool Body(HttpMessage? message, out ReadOnlySpan<byte> span)
    {
        span = default;
        if (message is null || message.BodyLength == 0)
        {
            return false;
        }
        span = message.BodySpan;
        return true;
    }

    private bool Raw(HttpMessage message, out ReadOnlySpan<byte> span)
    {
        if (!_raw.Valid)
        {
            _raw.Clear();
            _raw.Append(message.HeadSpan);
            _raw.Append(message.BodySpan);
            _raw.Valid = true;
        }
        span = _raw.Span;
        return true;
    }

    private bool Header(HttpMessage message, out ReadOnlySpan<byte> span)
    {
        if (!_header.Valid)
        {
            _header.Clear();
            foreach (var field in message.Fields)
            {
                var name = message.Name(field);
                if (Ascii.EqualsIgnoreCase(name, "Cookie"u8) || Ascii.EqualsIgnoreCase(name, "Set-Cookie"u8))
                {
                    continue;
                }
                _header.Append(name);
                _header.Append(": "u8);
                _header.Append(message.Value(field));
                _header.Append("\r\n"u8);
            }
            _header.Valid = true;
        }
        span = _header.Span;
        return _header.Length > 0;
    }

    private bool Names(HttpMessage message, out ReadOnlySpan<byte> span)
    {
        if (!_names.Valid)
        {
            _names.Clear();
            _names.Append("\r\n"u8);
            foreach (var field in message.Fields)
            {
                _names.Append(message.Name(field));
                _names.Append("\r\n"u8);
            }
            _names.Append("\r\n"u8);
            _names.Valid = true;
        }
        span = _names.Span;
        return message.Fields.Length > 0;
    }

    private bool Host(HttpMessage request, out ReadOnlySpan<byte> span)
    {
        if (!_host.Valid)
        {
            _host.Clear();
            var target = request.Slice(request.Second);
            ReadOnlySpan<byte> authority = default;
            bool found = false;
            if (AbsoluteAuthority(target, out var fromTarget))
            {
                authority = fromTarget;
                found = true;
            }
            else if (request.TryGetValue("Host"u8, out var header))
            {
                authority = header;
                found = true;
            }
            if (found)
            {
                int at = authority.LastIndexOf((byte)'@');
                authority = authority[(at + 1)..];
                // "[v6]:port" keeps its brackets; "name:port" loses the port.
                int colon = authority.LastIndexOf((byte)':');
                if (colon >= 0 && authority.LastIndexOf((byte)']') < colon)
                {
                    authority = authority[..colon];
                }
                _host.Append(authority);
                Ascii.ToLowerInPlace(_host.Writable, out _);
            }
            _host.Found = found;
            _host.Valid = true;
        }
        span = _host.Span;
        return _host.Found;
    }

    private static bool AbsoluteAuthority(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> authority)
    {
        authority = default;
        int scheme = target.IndexOf("://"u8);
        if (scheme <= 0 || target[..scheme].ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."u8))
        {
            return false;
        }
        var rest = target[(scheme + 3)..];
        int end = rest.IndexOfAny("/?#"u8);
        authority = end < 0 ? rest : rest[..end];
        return true;
    }

    private bool Uri(HttpMessage request, out ReadOnlySpan<byte> span)
    {
        if (!_uri.Valid)
        {
            _uri.Clear();
            var target = request.Slice(request.Second);
            if (AbsoluteAuthority(target, out var authority))
            {
                int pathStart = target.IndexOf("://"u8) + 3 + authority.Length;
                target = target[pathStart..];
                if (target.IsEmpty || target[0] != '/')
                {
                    _uri.Append("/"u8);
                }
            }
            int fragment = target.IndexOf((byte)'#');
            if (fragment >= 0)
            {
                target = target[..fragment];
            }
            int question = target.IndexOf((byte)'?');
            var path = question < 0 ? target : target[..question];
            int pathStartInScratch = _uri.Length;
            PercentDecode(path, keepEncodedSlash: true);
            _uri.Length = pathStartInScratch + RemoveDotSegments(_uri.Writable[pathStartInScratch..]);
            if (question >= 0)
            {
                _uri.Append("?"u8);
                PercentDecode(target[(question + 1)..], keepEncodedSlash: false);
            }
            _uri.Valid = true;
        }
        span = _uri.Span;
        return true;
    }

    private void PercentDecode(ReadOnlySpan<byte> text, bool keepEncodedSlash)
    {
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b == '%' && i + 2 < text.Length && Hex(text[i + 1]) is >= 0 and var high && Hex(text[i + 2]) is >= 0 and var low)
            {
                byte decoded = (byte)((high << 4) | low);
                if (!(keepEncodedSlash && decoded == '/'))
                {
                    _uri.AppendByte(decoded);
                    i += 2;
                    continue;
                }
            }
            _uri.AppendByte(b);
        }
    }

    /// <summary>RFC 3986 remove_dot_segments in place; returns the new length.</summary>
    internal static int RemoveDotSegments(Span<byte> path)
    {
        int write = 0;
        int read = 0;
        while (read < path.Length)
        {
            var rest = path[read..];
            if (rest.StartsWith("../"u8))
            {
                read += 3;
            }
            else if (rest.StartsWith("./"u8))
            {
                read += 2;
            }
            else if (rest.StartsWith("/./"u8))
            {
                read += 2;
            }
            else if (rest.SequenceEqual("/."u8))
            {
                path[read + 1] = (byte)'/';
                read += 1;
            }
            else if (rest.StartsWith("/../"u8) || rest.SequenceEqual("/.."u8))
            {
                bool end = rest.Length == 3;
                read += 3;
                if (end)
                {
                    read -= 1;
                    path[read] = (byte)'/';
                }
                int previous = write > 0 ? path[..write].LastIndexOf((byte)'/') : -1;
                write = Math.Max(previous, 0);
            }
            else if (rest.SequenceEqual("."u8) || rest.SequenceEqual(".."u8))
            {
                read = path.Length;
            }
            else
            {
                int next = rest.Length > 1 ? rest[1..].IndexOf((byte)'/') : -1;
                int length = next < 0 ? rest.Length : next + 1;
                path.Slice(read, length).CopyTo(path[write..]);
                write += length;
                read += length;
            }
        }
        return write;
    }

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>A growable byte buffer that is rebuilt, not reallocated, per transaction.</summary>
    private sealed class Scratch
    {
        private byte[] _bytes = new byte[256];

        public int Length { get; set; }

        public bool Valid { get; set; }

        public bool Found { get; set; }

        public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

        public Span<byte> Writable => _bytes.AsSpan(0, Length);

        public void Clear() => Length = 0;

        public void AppendByte(byte value)
        {
            Ensure(Length + 1);
            _bytes[Length++] = value;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            Ensure(Length + bytes.Length);
            bytes.CopyTo(_bytes.AsSpan(Length));
            Length += bytes.Length;
        }

        private void Ensure(int needed)
        {
            if (needed > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
            }
        }
    }
}
