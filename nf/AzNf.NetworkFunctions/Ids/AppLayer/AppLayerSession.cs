using AzNf.NetworkFunctions.Ids.Http;
using System.Buffers;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Ids.AppLayer;

/// <summary>Which app-layer protocol a TCP flow speaks, as far as the IDS parses it.</summary>
internal enum AppProtocol : byte
{
    /// <summary>No client bytes seen yet.</summary>
    Unknown,
    Http,
    /// <summary>A TLS handshake: the client's bytes are kept until its ClientHello is complete.</summary>
    Tls,
    /// <summary>DNS over TCP (port 53): the client's length-prefixed messages, each matched as it completes.</summary>
    Dns,
    /// <summary>Nothing (more) to parse: not a parsed protocol, or the TLS hello is done.</summary>
    None,
}

/// <summary>
/// The app layer of one TCP flow, fed with the reassembled, in-order stream bytes. The client's
/// first byte picks the protocol (a TLS handshake record, else HTTP, detected on any port).
/// HTTP: a parser per direction, and for the requests that still wait for their responses
/// (pipelining) whether each was a HEAD, so a response is framed by the request it answers (a
/// request's buffers are not needed once its rules ran: no rule mixes request and response
/// buffers). TLS: the client's bytes
/// until its ClientHello is complete, for the server name. Pooled per partition
/// (<see cref="AppLayerSessionPool"/>).
/// </summary>
internal sealed class AppLayerSession
{
    private readonly AppLayerPartition _partition;
    // One entry per request waiting for its response: true for HEAD (its response has no body).
    private readonly Queue<bool> _pending = new();
    // The client's bytes not consumed yet: a TLS hello or a DNS message in the making.
    private byte[] _tlsBytes = [];
    private int _tlsLength;
    private const int MaxDnsMessage = 2 + ushort.MaxValue;

    public AppLayerSession(AppLayerPartition partition)
    {
        _partition = partition;
        Requests = new HttpDirectionParser(request: true);
        Responses = new HttpDirectionParser(request: false);
    }

    public HttpDirectionParser Requests { get; }

    public HttpDirectionParser Responses { get; }

    public HttpLimits Limits => _partition.Limits;

    public int PendingCount => _pending.Count;

    public HttpMessage RentMessage() => _partition.Messages.Rent();

    public int BodyLimit(bool request) => request ? Limits.RequestBodyBytes : Limits.ResponseBodyBytes;

    public AppProtocol Protocol { get; private set; }

    /// <summary>
    /// What the flow was found to speak (Http, Tls, Dns), or None when its first client bytes
    /// were none of them; Unknown before that. Unlike <see cref="Protocol"/> it stays once set
    /// (a TLS session's protocol becomes None when its hello is done).
    /// </summary>
    public AppProtocol Detected { get; private set; }

    /// <summary>True when nothing more will be parsed: the session can be given back.</summary>
    public bool IsDone => Protocol == AppProtocol.None
        || (Protocol is AppProtocol.Unknown or AppProtocol.Http && Requests.Phase == HttpPhase.Stopped && Responses.Phase == HttpPhase.Stopped);

    /// <summary>A flow to or from port 53 (Suricata's DNS detection port) speaks DNS over TCP.</summary>
    public void UseDns()
    {
        if (Protocol == AppProtocol.Unknown && _partition.Dns)
        {
            Protocol = Detected = AppProtocol.Dns;
        }
    }

    public void Feed(bool toServer, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (Protocol == AppProtocol.Unknown && toServer)
        {
            const byte handshakeRecord = 22;
            Protocol = Detected = data[0] == handshakeRecord && _partition.Tls ? AppProtocol.Tls
                : data[0] != handshakeRecord && _partition.Http ? AppProtocol.Http
                : AppProtocol.None;
            if (Protocol == AppProtocol.None)
            {
                StopDirection(Requests);
                StopDirection(Responses);
            }
        }
        switch (Protocol)
        {
            case AppProtocol.Tls:
                if (toServer)
                {
                    FeedTls(data);
                }
                return;
            case AppProtocol.Dns:
                if (toServer)
                {
                    FeedDns(data);
                }
                return;
            case AppProtocol.None:
                return;
            default:
                if (_partition.Http)
                {
                    (toServer ? Requests : Responses).Feed(data, this);
                }
                return;
        }
    }

    private void FeedTls(ReadOnlySpan<byte> data)
    {
        int take = Math.Min(data.Length, _partition.TlsHelloBytes - _tlsLength);
        if (_tlsBytes.Length < _tlsLength + take)
        {
            Array.Resize(ref _tlsBytes, Math.Min(_partition.TlsHelloBytes, Math.Max(_tlsLength + take, Math.Max(512, _tlsBytes.Length * 2))));
        }
        data[..take].CopyTo(_tlsBytes.AsSpan(_tlsLength));
        _tlsLength += take;
        switch (_partition.Hello.Parse(_tlsBytes.AsSpan(0, _tlsLength)))
        {
            case Tls.TlsHelloStatus.Complete:
                _partition.Counters.TlsHellos++;
                _partition.Sink.TlsClientHello(_partition.Hello);
                FinishTls();
                break;
            case Tls.TlsHelloStatus.NotTls:
                _partition.Counters.TlsNotTls++;
                FinishTls();
                break;
            default:
                if (_tlsLength == _partition.TlsHelloBytes)
                {
                    _partition.Counters.TlsHelloTooLong++;
                    FinishTls();
                }
                break;
        }
    }

    // Messages are 2-byte length prefixed (RFC 1035 4.2.2); each complete one goes to the sink.
    private void FeedDns(ReadOnlySpan<byte> data)
    {
        if (_tlsBytes.Length < _tlsLength + data.Length)
        {
            Array.Resize(ref _tlsBytes, Math.Min(MaxDnsMessage * 2, Math.Max(_tlsLength + data.Length, Math.Max(512, _tlsBytes.Length * 2))));
        }
        int take = Math.Min(data.Length, _tlsBytes.Length - _tlsLength);
        data[..take].CopyTo(_tlsBytes.AsSpan(_tlsLength));
        _tlsLength += take;
        int start = 0;
        while (_tlsLength - start >= 2)
        {
            int length = (_tlsBytes[start] << 8) | _tlsBytes[start + 1];
            if (_tlsLength - start - 2 < length)
            {
                break;
            }
            _partition.Counters.DnsMessages++;
            _partition.Sink.DnsMessage(_tlsBytes.AsSpan(start + 2, length));
            start += 2 + length;
        }
        _tlsBytes.AsSpan(start, _tlsLength - start).CopyTo(_tlsBytes);
        _tlsLength -= start;
    }

    private void FinishTls()
    {
        _tlsLength = 0;
        Protocol = AppProtocol.None;
    }

    /// <summary>The server closed its side (FIN or RST): a response read until close is complete.</summary>
    public void ServerClosed() => Responses.Close(this);

    public void HeadComplete(HttpDirectionParser parser, HttpMessage message)
    {
        if (parser.IsRequest)
        {
            _partition.Counters.Requests++;
            _partition.Sink.RequestHead(message);
        }
        else if (message.StatusCode >= 200)
        {
            _partition.Counters.Responses++;
            _partition.Sink.ResponseHead(message);
        }
    }

    public bool ResponseHasBody(HttpMessage response) =>
        response.StatusCode >= 200 && response.StatusCode is not (204 or 304)
        && !(_pending.TryPeek(out bool head) && head);

    public void MessageComplete(HttpDirectionParser parser, HttpMessage message)
    {
        if (message.BodyDropped > 0 && BodyLimit(parser.IsRequest) > 0)
        {
            _partition.Counters.BodiesTruncated++;
        }
        if (parser.IsRequest)
        {
            if (_pending.Count == Limits.PendingRequests)
            {
                _pending.Dequeue();
                _partition.Counters.PendingDropped++;
            }
            _pending.Enqueue(message.Slice(message.First).SequenceEqual("HEAD"u8));
            _partition.Sink.RequestComplete(message);
            _partition.Messages.Return(message);
            return;
        }
        if (message.StatusCode < 200)
        {
            // 1xx is interim: the request still waits for its final response.
            _partition.Messages.Return(message);
            return;
        }
        _pending.TryDequeue(out _);
        _partition.Sink.ResponseComplete(message);
        _partition.Messages.Return(message);
    }

    public void Stop(HttpDirectionParser parser, HttpStopReason reason)
    {
        _partition.Counters.Stopped(reason);
        StopDirection(parser);
        if (reason == HttpStopReason.NotHttp)
        {
            StopDirection(parser.IsRequest ? Responses : Requests);
        }
    }

    private void StopDirection(HttpDirectionParser parser)
    {
        _partition.Messages.Return(parser.Current);
        parser.Reset();
        parser.Phase = HttpPhase.Stopped;
    }

    /// <summary>Gives every held message back to the pool; the session is idle and reusable.</summary>
    public void Reset()
    {
        Protocol = Detected = AppProtocol.Unknown;
        _tlsLength = 0;
        _partition.Messages.Return(Requests.Current);
        _partition.Messages.Return(Responses.Current);
        Requests.Reset();
        Responses.Reset();
        _pending.Clear();
    }

    /// <summary>Section part: byte protocol, TLS bytes so far (block), request parser, response parser, int32 pending requests, byte HEAD × pending.</summary>
    public void Write(IBufferWriter<byte> into)
    {
        into.WriteByte((byte)Protocol);
        into.WriteBlock(_tlsBytes.AsSpan(0, _tlsLength));
        Requests.Write(into);
        Responses.Write(into);
        into.WriteInt32(_pending.Count);
        foreach (bool head in _pending)
        {
            into.WriteByte(head ? (byte)1 : (byte)0);
        }
    }

    public void Read(ref SnapshotReader reader)
    {
        byte protocol = reader.Byte();
        if (protocol > (byte)AppProtocol.None)
        {
            throw new InvalidDataException($"app-layer protocol {protocol} is unknown");
        }
        Protocol = (AppProtocol)protocol;
        var clientBytes = reader.Block();
        _tlsLength = 0;
        if (clientBytes.Length > 0 && Protocol == AppProtocol.Tls)
        {
            FeedTls(clientBytes);
        }
        else if (clientBytes.Length > 0 && Protocol == AppProtocol.Dns)
        {
            FeedDns(clientBytes);
        }
        ReadParser(ref reader, Requests);
        ReadParser(ref reader, Responses);
        int pending = reader.Length();
        for (int i = 0; i < pending; i++)
        {
            bool head = reader.Byte() == 1;
            if (_pending.Count < Limits.PendingRequests)
            {
                _pending.Enqueue(head);
            }
        }
    }

    private void ReadParser(ref SnapshotReader reader, HttpDirectionParser parser)
    {
        byte phase = reader.Byte();
        if (phase > (byte)HttpPhase.Stopped)
        {
            throw new InvalidDataException($"HTTP parser phase {phase} is unknown");
        }
        parser.Phase = (HttpPhase)phase;
        parser.Remaining = reader.Int64();
        parser.LineStart = reader.Int32();
        parser.SetPartialLine(reader.Block());
        parser.Current = ReadMessage(ref reader, parser.IsRequest);
        if ((parser.Current is null) != (parser.Phase is HttpPhase.Idle or HttpPhase.Stopped)
            || parser.Remaining < 0 || parser.Current is not null && parser.LineStart > parser.Current.HeadLength)
        {
            throw new InvalidDataException($"HTTP parser state is inconsistent (phase {parser.Phase})");
        }
    }

    /// <summary>byte present; then head block, byte head complete, body block, int64 body bytes dropped.</summary>
    public static void WriteMessage(IBufferWriter<byte> into, HttpMessage? message)
    {
        if (message is null)
        {
            into.WriteByte(0);
            return;
        }
        into.WriteByte(1);
        into.WriteBlock(message.HeadSpan);
        into.WriteByte(message.HeadComplete ? (byte)1 : (byte)0);
        into.WriteBlock(message.BodySpan);
        into.WriteInt64(message.BodyDropped);
    }

    private HttpMessage? ReadMessage(ref SnapshotReader reader, bool request)
    {
        if (reader.Byte() == 0)
        {
            return null;
        }
        var message = RentMessage();
        // Kept limits may be smaller than the writer's: what is past them is dropped as it would have been.
        message.AppendHead(reader.Block(), int.MaxValue);
        bool headComplete = reader.Byte() == 1;
        message.AppendBody(reader.Block(), BodyLimit(request));
        message.BodyDropped += reader.Int64();
        if (headComplete && !message.ParseHead(request))
        {
            _partition.Messages.Return(message);
            throw new InvalidDataException("an HTTP message head in the snapshot does not parse");
        }
        return message;
    }
}
