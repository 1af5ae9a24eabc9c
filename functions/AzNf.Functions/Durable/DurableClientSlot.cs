using Microsoft.DurableTask.Client;

namespace AzNf.Functions.Durable;

/// <summary>
/// This worker instance's durable client. The isolated worker hands a <see cref="DurableTaskClient"/>
/// only to functions that bind <c>[DurableClient]</c>; every such function (the HTTP API, the
/// sweep, the chain's activities) offers its client here, so the ingestion service — which is not a
/// function — can start units too. The extension caches the client per task hub for the life of
/// the worker, so keeping it beyond the invocation that brought it is safe.
/// </summary>
public sealed class DurableClientSlot
{
    private readonly TaskCompletionSource<DurableTaskClient> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DurableTaskClient? _client;

    /// <summary>The latest client offered, or null before any bound function ran in this instance.</summary>
    public DurableTaskClient? Current => Volatile.Read(ref _client);

    public void Offer(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Volatile.Write(ref _client, client);
        _first.TrySetResult(client);
    }

    /// <summary>Waits for the first client to arrive.</summary>
    public Task<DurableTaskClient> WaitAsync(CancellationToken cancellation) => _first.Task.WaitAsync(cancellation);
}
