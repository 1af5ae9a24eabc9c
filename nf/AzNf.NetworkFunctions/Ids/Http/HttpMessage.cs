using System.Buffers;
using System.Text;

namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>One header field: the name in <see cref="HttpMessage.Head"/>, the value in <see cref="HttpMessage.Values"/>.</summary>
internal readonly record struct HttpField(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>
/// One HTTP/1.x request or response as the IDS keeps it: the raw head (start line and header
/// lines, as received), the header fields parsed out of it (folded lines joined by one space, as
/// libhtp does), and the body — de-chunked — up to the body limit. Pooled per partition; the head
/// and value arrays grow to the largest message seen and are kept; the body is rented from the
/// shared array pool and given back when the message is reset, so many flows with large bodies
/// in flight do not each keep one.
/// </summary>
internal sealed class HttpMessage
{
    private readonly List<HttpField> _fields = [];

    public byte[] Head { get; private set; } = new byte[512];

    public int HeadLength { get; private set; }

    public byte[] Body { get; private set; } = [];

    public int BodyLength { get; private set; }

    /// <summary>Body bytes that did not fit under the body limit.</summary>
    public long BodyDropped { get; set; }

    /// <summary>Header values, folded lines joined.</summary>
    public byte[] Values { get; private set; } = new byte[256];

    private int _valuesLength;

    public ReadOnlySpan<HttpField> Fields => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fields);

    /// <summary>Request: method; response: protocol. Offsets into <see cref="Head"/>.</summary>
    public Range First { get; private set; }

    /// <summary>Request: target (raw URI); response: status code.</summary>
    public Range Second { get; private set; }

    /// <summary>Request: protocol (empty for HTTP/0.9); response: reason phrase.</summary>
    public Range Third { get; private set; }

    /// <summary>The start line without its line end.</summary>
    public Range StartLine { get; private set; }

    /// <summary>The header lines as received, after the start line, up to and without the blank line.</summary>
    public Range HeaderLines { get; private set; }

    public bool HeadComplete { get; set; }

    public int StatusCode { get; private set; }

    public ReadOnlySpan<byte> HeadSpan => Head.AsSpan(0, HeadLength);

    public ReadOnlySpan<byte> BodySpan => Body.AsSpan(0, BodyLength);

    public ReadOnlySpan<byte> Slice(Range range) => Head.AsSpan(range);

    public ReadOnlySpan<byte> Value(HttpField field) => Values.AsSpan(field.ValueStart, field.ValueLength);

    public ReadOnlySpan<byte> Name(HttpField field) => Head.AsSpan(field.NameStart, field.NameLength);

    /// <summary>The value of the first field named <paramref name="name"/> (ASCII case-insensitive); false when absent.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var field in _fields)
        {
            if (Ascii.EqualsIgnoreCase(Name(field), name))
            {
                value = Value(field);
                return true;
            }
        }
        value = default;
        return false;
    }

    public void Reset()
    {
        if (Body.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Body);
            Body = [];
        }
        HeadLength = 0;
        BodyLength = 0;
        BodyDropped = 0;
        _valuesLength = 0;
        _fields.Clear();
        HeadComplete = false;
        StatusCode = 0;
        First = Second = Third = StartLine = HeaderLines = default;
    }

    /// <summary>Appends head bytes; false (nothing appended) when they would pass <paramref name="limit"/>.</summary>
    public bool AppendHead(ReadOnlySpan<byte> data, int limit)
    {
        if (HeadLength + data.Length > limit)
        {
            return false;
        }
        Head = Grow(Head, HeadLength + data.Length);
        data.CopyTo(Head.AsSpan(HeadLength));
        HeadLength += data.Length;
        return true;
    }

    /// <summary>Rents the body buffer once for a body of known length (Content-Length), so it is not grown and copied.</summary>
    public void ReserveBody(long length, int limit)
    {
        int size = (int)Math.Min(length, limit);
        if (size > Body.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(size);
            Body.AsSpan(0, BodyLength).CopyTo(larger);
            if (Body.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Body);
            }
            Body = larger;
        }
    }

    /// <summary>Appends body bytes up to <paramref name="limit"/>; the rest is counted in <see cref="BodyDropped"/>.</summary>
    public void AppendBody(ReadOnlySpan<byte> data, int limit)
    {
        int room = Math.Max(0, limit - BodyLength);
        if (data.Length > room)
        {
            BodyDropped += data.Length - room;
            data = data[..room];
        }
        if (data.IsEmpty)
        {
            return;
        }
        if (BodyLength + data.Length > Body.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(BodyLength + data.Length, Math.Min(limit, Math.Max(4096, Body.Length * 2))));
            Body.AsSpan(0, BodyLength).CopyTo(larger);
            if (Body.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Body);
            }
            Body = larger;
        }
        data.CopyTo(Body.AsSpan(BodyLength));
        BodyLength += data.Length;
    }

    /// <summary>
    /// Splits the complete head into start line and fields. False when the start line is not
    /// HTTP (a request line needs a method token and a target; a status line "HTTP/x.y NNN").
    /// </summary>
    public bool ParseHead(bool request)
    {
        var head = HeadSpan;
        int lineEnd = head.IndexOf((byte)'\n');
        int startEnd = lineEnd > 0 && head[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        StartLine = 0..startEnd;
        if (!(request ? ParseRequestLine(head[..startEnd]) : ParseStatusLine(head[..startEnd])))
        {
            return false;
        }
        int position = lineEnd + 1;
        int headersStart = position;
        int headersEnd = position;
        while (position < head.Length)
        {
            int next = head[position..].IndexOf((byte)'\n');
            int end = next < 0 ? head.Length : position + next;
            int contentEnd = end > position && head[end - 1] == '\r' ? end - 1 : end;
            if (contentEnd == position)
            {
                break;
            }
            var line = head[position..contentEnd];
            if ((line[0] == ' ' || line[0] == '\t') && _fields.Count > 0)
            {
                // A folded line continues the previous field's value, joined by one space.
                var previous = _fields[^1];
                var more = line.Trim(" \t"u8);
                if (more.Length > 0)
                {
                    AppendValue(" "u8);
                    AppendValue(more);
                    _fields[^1] = previous with { ValueLength = _valuesLength - previous.ValueStart };
                }
            }
            else
            {
                int colon = line.IndexOf((byte)':');
                if (colon > 0)
                {
                    var name = line[..colon].TrimEnd(" \t"u8);
                    var value = line[(colon + 1)..].Trim(" \t"u8);
                    int valueStart = _valuesLength;
                    AppendValue(value);
                    _fields.Add(new HttpField(position, name.Length, valueStart, value.Length));
                }
            }
            headersEnd = contentEnd;
            position = end + 1;
        }
        HeaderLines = headersStart..Math.Max(headersStart, headersEnd);
        HeadComplete = true;
        return true;
    }

    private bool ParseRequestLine(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || !IsMethod(line[..space]))
        {
            return false;
        }
        int targetStart = space + 1;
        while (targetStart < line.Length && line[targetStart] == ' ')
        {
            targetStart++;
        }
        int targetEnd = line[targetStart..].IndexOf((byte)' ');
        targetEnd = targetEnd < 0 ? line.Length : targetStart + targetEnd;
        if (targetEnd == targetStart)
        {
            return false;
        }
        int protocolStart = Math.Min(line.Length, targetEnd + 1);
        First = 0..space;
        Second = targetStart..targetEnd;
        Third = protocolStart..line.Length;
        return true;
    }

    private bool ParseStatusLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("HTTP/"u8))
        {
            return false;
        }
        int space = line.IndexOf((byte)' ');
        if (space < 0 || line.Length < space + 4)
        {
            return false;
        }
        var code = line.Slice(space + 1, 3);
        if (code.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }
        StatusCode = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        First = 0..space;
        Second = (space + 1)..(space + 4);
        int reason = Math.Min(line.Length, space + 5);
        Third = reason..line.Length;
        return true;
    }

    /// <summary>A method is an HTTP token of upper-case letters (GET, POST, PROPFIND, ...), as detection on any port needs.</summary>
    private static bool IsMethod(ReadOnlySpan<byte> token) =>
        token.Length is >= 3 and <= 16 && !token.ContainsAnyExceptInRange((byte)'A', (byte)'Z');

    private void AppendValue(ReadOnlySpan<byte> bytes)
    {
        Values = Grow(Values, _valuesLength + bytes.Length);
        bytes.CopyTo(Values.AsSpan(_valuesLength));
        _valuesLength += bytes.Length;
    }

    private static byte[] Grow(byte[] array, int needed)
    {
        if (needed <= array.Length)
        {
            return array;
        }
        var larger = new byte[Math.Max(needed, array.Length * 2)];
        array.CopyTo(larger, 0);
        return larger;
    }
}
