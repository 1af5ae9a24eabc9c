using System.Collections.Concurrent;
using AzNf.Partitions;

namespace AzNf.DurableRuntime.Tests;

/// <summary>An egress that keeps what it is sent (the capture index and the frame of every packet), in memory.</summary>
internal sealed class RecordingEgress : IPacketEgress
{
    public ConcurrentDictionary<long, byte[]> Packets { get; } = new();

    public int Sends;

    /// <summary>Packets sent more than once (a batch sent again).</summary>
    public int Repeats;

    public Task SendAsync(string chainName, int partition, IReadOnlyList<ForwardedPacket> packets, CancellationToken cancellation)
    {
        Interlocked.Increment(ref Sends);
        foreach (var packet in packets)
        {
            if (!Packets.TryAdd(packet.CaptureIndex, packet.Frame.ToArray()))
            {
                Interlocked.Increment(ref Repeats);
            }
        }
        return Task.CompletedTask;
    }
}
