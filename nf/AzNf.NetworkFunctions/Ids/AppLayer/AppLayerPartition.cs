using AzNf.NetworkFunctions.Ids.Http;
namespace AzNf.NetworkFunctions.Ids.AppLayer;

/// <summary>What all app-layer sessions of one IDS partition share: limits, which protocols to parse, the message pool, the sink and the counters.</summary>
internal sealed class AppLayerPartition(HttpLimits limits, IAppLayerSink sink, bool http = true, bool tls = false, int tlsHelloBytes = 16_384, bool dns = false)
{
    /// <summary>Parse DNS over TCP on port 53 (some rule inspects dns.query).</summary>
    public bool Dns { get; } = dns;

    public HttpLimits Limits { get; } = limits;

    /// <summary>Parse HTTP (some rule inspects it).</summary>
    public bool Http { get; } = http;

    /// <summary>Look for a TLS ClientHello (some rule inspects tls.sni).</summary>
    public bool Tls { get; } = tls;

    /// <summary>Largest ClientHello (records included) read for its server name.</summary>
    public int TlsHelloBytes { get; } = tlsHelloBytes;

    /// <summary>The partition's ClientHello parser (one scratch buffer for all sessions).</summary>
    public Tls.TlsClientHello Hello { get; } = new();

    public IAppLayerSink Sink { get; } = sink;

    public HttpMessagePool Messages { get; } = new();

    public AppLayerCounters Counters { get; } = new();
}

/// <summary>The app layer's counters (reported as <c>http:…</c> and <c>tls:…</c>).</summary>
internal sealed class AppLayerCounters
{
    public long TlsHellos;
    public long DnsMessages;
    public long TlsNotTls;
    public long TlsHelloTooLong;
    public long Requests;
    public long Responses;
    public long BodiesTruncated;
    public long PendingDropped;
    public long NotHttp;
    public long HeadTooLong;
    public long BadLength;
    public long BadChunk;

    public void Stopped(HttpStopReason reason)
    {
        switch (reason)
        {
            case HttpStopReason.NotHttp: NotHttp++; break;
            case HttpStopReason.HeadTooLong: HeadTooLong++; break;
            case HttpStopReason.BadLength: BadLength++; break;
            case HttpStopReason.BadChunk: BadChunk++; break;
        }
    }
}

/// <summary>A partition's HTTP sessions: handle <c>n</c> (1-based, 0 = none) names a pooled <see cref="AppLayerSession"/>.</summary>
internal sealed class AppLayerSessionPool(AppLayerPartition partition)
{
    private readonly List<AppLayerSession> _sessions = [];
    private readonly Stack<int> _free = new();

    public int InUse { get; private set; }

    public AppLayerPartition Partition { get; } = partition;

    public int Rent()
    {
        InUse++;
        if (_free.TryPop(out int slot))
        {
            return slot + 1;
        }
        _sessions.Add(new AppLayerSession(Partition));
        return _sessions.Count;
    }

    public AppLayerSession this[int handle] => _sessions[handle - 1];

    public void Return(int handle)
    {
        _sessions[handle - 1].Reset();
        _free.Push(handle - 1);
        InUse--;
    }
}
