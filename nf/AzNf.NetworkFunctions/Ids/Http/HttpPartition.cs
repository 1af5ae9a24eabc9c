namespace AzNf.NetworkFunctions.Ids.Http;

/// <summary>What all HTTP sessions of one IDS partition share: limits, the message pool, the sink and the counters.</summary>
internal sealed class HttpPartition(HttpLimits limits, IHttpTransactionSink sink)
{
    public HttpLimits Limits { get; } = limits;

    public IHttpTransactionSink Sink { get; } = sink;

    public HttpMessagePool Messages { get; } = new();

    public HttpCounters Counters { get; } = new();
}

/// <summary>The HTTP app layer's counters (reported as <c>http:…</c>).</summary>
internal sealed class HttpCounters
{
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

/// <summary>A partition's HTTP sessions: handle <c>n</c> (1-based, 0 = none) names a pooled <see cref="HttpSession"/>.</summary>
internal sealed class HttpSessionPool(HttpPartition partition)
{
    private readonly List<HttpSession> _sessions = [];
    private readonly Stack<int> _free = new();

    public int InUse { get; private set; }

    public HttpPartition Partition { get; } = partition;

    public int Rent()
    {
        InUse++;
        if (_free.TryPop(out int slot))
        {
            return slot + 1;
        }
        _sessions.Add(new HttpSession(Partition));
        return _sessions.Count;
    }

    public HttpSession this[int handle] => _sessions[handle - 1];

    public void Return(int handle)
    {
        _sessions[handle - 1].Reset();
        _free.Push(handle - 1);
        InUse--;
    }
}
