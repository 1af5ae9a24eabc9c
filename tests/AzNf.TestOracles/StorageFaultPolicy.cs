using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AzNf.TestOracles;

/// <summary>What a <see cref="StorageFaultPolicy"/> does to a share of the requests it sees.</summary>
/// <param name="Unavailable">Answered 503 without reaching the service.</param>
/// <param name="Dropped">The connection fails before the request reaches the service.</param>
/// <param name="LostReply">Reaches the service, which acts on it, but the reply is lost: the client sees a 500 and sends it again.</param>
/// <param name="Delayed">Held back <see cref="Delay"/> before it is sent.</param>
public sealed record StorageFaults(double Unavailable, double Dropped, double LostReply, double Delayed)
{
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(150);
}

/// <summary>
/// Injects storage faults into a client's pipeline, per retry (after the request counter), so the
/// client's retry policy sees them as it would see the real ones. Deterministic for a seed.
/// Requests already on the wire when <see cref="Stop"/> is called finish normally.
/// </summary>
public sealed class StorageFaultPolicy(StorageFaults faults, int seed) : HttpPipelinePolicy
{
    private readonly Random _random = new(seed);
    private long _unavailable;
    private long _dropped;
    private long _lostReplies;
    private long _delayed;
    private volatile bool _stopped;

    public long Unavailable => Interlocked.Read(ref _unavailable);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long LostReplies => Interlocked.Read(ref _lostReplies);

    public long Delayed => Interlocked.Read(ref _delayed);

    /// <summary>Failures injected (delays are not failures).</summary>
    public long Failures => Unavailable + Dropped + LostReplies;

    /// <summary>No more faults from now on (the test reads its results over a healthy storage).</summary>
    public void Stop() => _stopped = true;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        double roll;
        lock (_random)
        {
            roll = _random.NextDouble();
        }
        if (_stopped)
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }
        if (roll < faults.Unavailable)
        {
            Interlocked.Increment(ref _unavailable);
            message.Response = new InjectedResponse(503, "Service Unavailable (injected)");
            return;
        }
        roll -= faults.Unavailable;
        if (roll < faults.Dropped)
        {
            Interlocked.Increment(ref _dropped);
            throw new RequestFailedException("injected: the connection was reset before the request was sent", new IOException("connection reset (injected)"));
        }
        roll -= faults.Dropped;
        if (roll < faults.LostReply)
        {
            await ProcessNextAsync(message, pipeline);
            Interlocked.Increment(ref _lostReplies);
            message.Response.Dispose();
            message.Response = new InjectedResponse(500, "Internal Server Error (injected: the service's reply was lost)");
            return;
        }
        roll -= faults.LostReply;
        if (roll < faults.Delayed)
        {
            Interlocked.Increment(ref _delayed);
            await Task.Delay(faults.Delay);
        }
        await ProcessNextAsync(message, pipeline);
    }

    /// <summary>A reply made up by the policy: a status and nothing else.</summary>
    private sealed class InjectedResponse(int status, string reason) : Response
    {
        // The transport marks real replies; the retry policy retries only replies marked as errors.
        public override bool IsError => true;

        public override int Status => status;

        public override string ReasonPhrase => reason;

        public override Stream? ContentStream { get; set; } = new MemoryStream();

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => false;

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = null;
            return false;
        }

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = null;
            return false;
        }
    }
}
