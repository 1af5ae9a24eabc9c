using AzNf.NetworkFunctions.Ids.AppLayer;
using System.Buffers;
using System.Globalization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>Where a direction's parser is in the byte stream.</summary>
internal enum HttpPhase : byte
{
    /// <summary>Between messages (blank lines between pipelined messages are skipped).</summary>
    Idle,
    Head,
    Body,
    ChunkSize,
    ChunkData,
    ChunkDataEnd,
    Trailer,
    /// <summary>A response body without length or chunking: it ends when the server closes.</summary>
    UntilClose,
    /// <summary>Not HTTP, or broken beyond recovery: the rest of the direction is ignored.</summary>
    Stopped,
}

/// <summary>
/// One direction of an HTTP/1.x connection as a resumable state machine over in-order stream
/// bytes: heads, Content-Length and chunked bodies, pipelined messages. Completed messages are
/// handed to the <see cref="AppLayerSession"/>, which pairs them.
/// </summary>
internal sealed class HttpDirectionParser(bool request)
{
    private const int MaxLineBytes = 256;
    private readonly byte[] _line = new byte[MaxLineBytes];
    private int _lineLength;

    public bool IsRequest { get; } = request;

    public HttpPhase Phase { get; set; }

    /// <summary>Body or chunk bytes still to come.</summary>
    public long Remaining { get; set; }

    /// <summary>The message being read; null when idle.</summary>
    public HttpMessage? Current { get; set; }

    /// <summary>Start of the current head line within <see cref="HttpMessage.Head"/>.</summary>
    public int LineStart { get; set; }

    public ReadOnlySpan<byte> PartialLine => _line.AsSpan(0, _lineLength);

    public void SetPartialLine(ReadOnlySpan<byte> bytes)
    {
        int keep = Math.Min(bytes.Length, MaxLineBytes);
        bytes[..keep].CopyTo(_line);
        _lineLength = keep;
    }

    public void Reset()
    {
        Phase = HttpPhase.Idle;
        Remaining = 0;
        Current = null;
        LineStart = 0;
        _lineLength = 0;
    }

    /// <summary>Consumes <paramref name="data"/>; calls back into <paramref name="session"/> at each head and message end.</summary>
    public void Feed(ReadOnlySpan<byte> data, AppLayerSession session)
    {
        while (!data.IsEmpty)
        {
            switch (Phase)
            {
                case HttpPhase.Stopped:
                    return;
                case HttpPhase.Idle:
                    int start = data.IndexOfAnyExcept((byte)'\r', (byte)'\n');
                    if (start < 0)
                    {
                        return;
                    }
                    data = data[start..];
                    Current = session.RentMessage();
                    LineStart = 0;
                    Phase = HttpPhase.Head;
                    break;
                case HttpPhase.Head:
                    data = FeedHead(data, session);
                    break;
                case HttpPhase.Body or HttpPhase.ChunkData:
                    int take = (int)Math.Min(Remaining, data.Length);
                    Current!.AppendBody(data[..take], session.BodyLimit(IsRequest));
                    data = data[take..];
                    Remaining -= take;
                    if (Remaining == 0)
                    {
                        if (Phase == HttpPhase.Body)
                        {
                            Complete(session);
                        }
                        else
                        {
                            Phase = HttpPhase.ChunkDataEnd;
                        }
                    }
                    break;
                case HttpPhase.UntilClose:
                    Current!.AppendBody(data, session.BodyLimit(IsRequest));
                    return;
                case HttpPhase.ChunkSize or HttpPhase.ChunkDataEnd or HttpPhase.Trailer:
                    data = FeedLine(data, session);
                    break;
            }
        }
    }

    /// <summary>The server closed its side: a body read until close is complete.</summary>
    public void Close(AppLayerSession session)
    {
        if (Phase == HttpPhase.UntilClose)
        {
            Complete(session);
        }
    }

    private ReadOnlySpan<byte> FeedHead(ReadOnlySpan<byte> data, AppLayerSession session)
    {
        var message = Current!;
        int newline = data.IndexOf((byte)'\n');
        var take = newline < 0 ? data : data[..(newline + 1)];
        if (!message.AppendHead(take, session.Limits.HeadBytes))
        {
            session.Stop(this, HttpStopReason.HeadTooLong);
            return default;
        }
        if (message.HeadLength - LineStart >= 4 && LineStart == 0 && !LooksLikeStart(message.HeadSpan))
        {
            session.Stop(this, HttpStopReason.NotHttp);
            return default;
        }
        if (newline < 0)
        {
            return default;
        }
        var line = message.HeadSpan[LineStart..];
        bool blank = line.Length == 1 || (line.Length == 2 && line[0] == '\r');
        LineStart = message.HeadLength;
        if (blank && message.HeadLength > line.Length)
        {
            if (!message.ParseHead(IsRequest))
            {
                session.Stop(this, HttpStopReason.NotHttp);
                return default;
            }
            StartBody(message, session);
        }
        return data[(newline + 1)..];
    }

    // Decided on the first bytes so that a non-HTTP stream is not buffered up to the head limit.
    private bool LooksLikeStart(ReadOnlySpan<byte> head)
    {
        if (!IsRequest)
        {
            return head.StartsWith("HTTP"u8);
        }
        int space = head.IndexOf((byte)' ');
        var token = space < 0 ? head : head[..space];
        return token.Length <= 16 && !token.ContainsAnyExceptInRange((byte)'A', (byte)'Z') && (space < 0 ? head.Length <= 16 : space >= 3);
    }

    private void StartBody(HttpMessage message, AppLayerSession session)
    {
        session.HeadComplete(this, message);
        if (Phase == HttpPhase.Stopped)
        {
            return;
        }
        if (!IsRequest && !session.ResponseHasBody(message))
        {
            Complete(session);
            return;
        }
        if (message.TryGetValue("Transfer-Encoding"u8, out var encoding) && encoding.IndexOf("chunked"u8) >= 0)
        {
            Phase = HttpPhase.ChunkSize;
            _lineLength = 0;
            return;
        }
        if (message.TryGetValue("Content-Length"u8, out var lengthText))
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
            {
                session.Stop(this, HttpStopReason.BadLength);
                return;
            }
            Remaining = length;
            Phase = HttpPhase.Body;
            message.ReserveBody(length, session.BodyLimit(IsRequest));
            if (length == 0)
            {
                Complete(session);
            }
            return;
        }
        if (IsRequest)
        {
            Complete(session);
        }
        else
        {
            Phase = HttpPhase.UntilClose;
        }
    }

    private ReadOnlySpan<byte> FeedLine(ReadOnlySpan<byte> data, AppLayerSession session)
    {
        int newline = data.IndexOf((byte)'\n');
        var part = newline < 0 ? data : data[..newline];
        if (_lineLength + part.Length > MaxLineBytes)
        {
            session.Stop(this, HttpStopReason.BadChunk);
            return default;
        }
        part.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += part.Length;
        if (newline < 0)
        {
            return default;
        }
        var line = _line.AsSpan(0, _lineLength).TrimEnd((byte)'\r');
        _lineLength = 0;
        switch (Phase)
        {
            case HttpPhase.ChunkSize:
                int extension = line.IndexOf((byte)';');
                var digits = (extension < 0 ? line : line[..extension]).Trim(" \t"u8);
                if (!long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long size) || size < 0)
                {
                    session.Stop(this, HttpStopReason.BadChunk);
                    return default;
                }
                Remaining = size;
                Phase = size == 0 ? HttpPhase.Trailer : HttpPhase.ChunkData;
                break;
            case HttpPhase.ChunkDataEnd:
                Phase = HttpPhase.ChunkSize;
                break;
            case HttpPhase.Trailer:
                if (line.IsEmpty)
                {
                    Complete(session);
                }
                break;
        }
        return data[(newline + 1)..];
    }

    private void Complete(AppLayerSession session)
    {
        var message = Current!;
        Current = null;
        Phase = HttpPhase.Idle;
        Remaining = 0;
        session.MessageComplete(this, message);
    }

    /// <summary>Writes the parser state and the message being read.</summary>
    public void Write(IBufferWriter<byte> into)
    {
        into.WriteByte((byte)Phase);
        into.WriteInt64(Remaining);
        into.WriteInt32(LineStart);
        into.WriteBlock(PartialLine);
        AppLayerSession.WriteMessage(into, Current);
    }
}

/// <summary>Why HTTP parsing of a direction stopped (each a counter).</summary>
internal enum HttpStopReason
{
    NotHttp,
    HeadTooLong,
    BadLength,
    BadChunk,
}
