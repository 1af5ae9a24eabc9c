using AzNf.Orchestrations.Batches;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>Batch blobs in a dictionary: the packet store's contract (ranges, a missing blob named) without storage.</summary>
internal sealed class InMemoryPacketStore : IPacketBatchStore
{
    public Dictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Every blob read, in order.</summary>
    public List<string> Reads { get; } = [];

    public Task PutAsync(string blob, ReadOnlyMemory<byte> content, CancellationToken cancellation = default)
    {
        Blobs[blob] = content.ToArray();
        return Task.CompletedTask;
    }

    public Task<ReadOnlyMemory<byte>> ReadAsync(string blob, long offset, int length, CancellationToken cancellation = default)
    {
        Reads.Add(blob);
        if (!Blobs.TryGetValue(blob, out var bytes) || offset + length > bytes.Length)
        {
            throw new PacketSliceException($"{blob} @ {offset}: the batch blob is gone or shorter than its reference");
        }
        return Task.FromResult<ReadOnlyMemory<byte>>(bytes.AsMemory((int)offset, length));
    }

    public Task<ReadOnlyMemory<byte>?> ReadAllAsync(string blob, CancellationToken cancellation = default) =>
        Task.FromResult(Blobs.TryGetValue(blob, out var bytes) ? new ReadOnlyMemory<byte>(bytes) : (ReadOnlyMemory<byte>?)null);

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await Task.Yield();
        foreach (string name in Blobs.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
        {
            yield return name;
        }
    }

    public Task DeleteAsync(string blob, CancellationToken cancellation = default)
    {
        Blobs.Remove(blob);
        return Task.CompletedTask;
    }
}
