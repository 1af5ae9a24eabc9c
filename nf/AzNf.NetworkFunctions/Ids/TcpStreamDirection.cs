using System.Buffers;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// One direction of a TCP stream: the tail of already-inspected bytes (so a pattern split
/// across segments is still seen whole), how far the stream has got, and segments that arrived
/// ahead of a gap. Pooled per partition and reused from flow to flow.
/// </summary>
internal sealed class TcpStreamDirection
{
    private readonly uint[] _pendingSequence;
    private readonly byte[]?[] _pendingData;
    private readonly int[] _pendingLength;
    private readonly int[] _carried = new int[MaxCarried];
    private int _carriedCount;
    private const int MaxCarried = 16;

    public TcpStreamDirection(int windowBytes, int maxBufferedSegments)
    {
        Tail = new byte[windowBytes];
        _pendingSequence = new uint[maxBufferedSegments];
        _pendingData = new byte[maxBufferedSegments][];
        _pendingLength = new int[maxBufferedSegments];
    }

    /// <summary>The last inspected bytes; the first <see cref="TailLength"/> are valid.</summary>
    public byte[] Tail { get; }

    public int TailLength { get; set; }

    /// <summary>Stream bytes consumed in order so far (the stream offset just past the tail).</summary>
    public long Consumed { get; set; }

    public int PendingCount { get; private set; }

    /// <summary>Multi-check rules whose fast pattern was seen in this direction and may still complete.</summary>
    public ReadOnlySpan<int> Carried => _carried.AsSpan(0, _carriedCount);

    /// <summary>True when more rules needed carrying than fit: the next scan covers the whole window.</summary>
    public bool CarryOverflowed { get; private set; } = true;

    public void Carry(int rule)
    {
        if (Carried.Contains(rule))
        {
            return;
        }
        if (_carriedCount == MaxCarried)
        {
            CarryOverflowed = true;
            return;
        }
        _carried[_carriedCount++] = rule;
    }

    public void ClearCarry()
    {
        _carriedCount = 0;
        CarryOverflowed = false;
    }

    public int PendingCapacity => _pendingSequence.Length;

    /// <summary>Holds a copy of an out-of-order segment (its buffer rented, returned on drain or reset).</summary>
    public void AddPending(uint sequence, ReadOnlySpan<byte> data)
    {
        var copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        _pendingSequence[PendingCount] = sequence;
        _pendingData[PendingCount] = copy;
        _pendingLength[PendingCount] = data.Length;
        PendingCount++;
    }

    /// <summary>The pending segment with the lowest sequence number relative to <paramref name="next"/>; -1 when none.</summary>
    public int EarliestPending(uint next)
    {
        int best = -1;
        int bestDistance = int.MaxValue;
        for (int i = 0; i < PendingCount; i++)
        {
            int distance = (int)(_pendingSequence[i] - next);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }

    public uint PendingSequence(int index) => _pendingSequence[index];

    public ReadOnlySpan<byte> PendingData(int index) => _pendingData[index].AsSpan(0, _pendingLength[index]);

    public void RemovePending(int index)
    {
        ArrayPool<byte>.Shared.Return(_pendingData[index]!);
        PendingCount--;
        _pendingSequence[index] = _pendingSequence[PendingCount];
        _pendingData[index] = _pendingData[PendingCount];
        _pendingLength[index] = _pendingLength[PendingCount];
        _pendingData[PendingCount] = null;
    }

    public void Reset()
    {
        while (PendingCount > 0)
        {
            RemovePending(PendingCount - 1);
        }
        TailLength = 0;
        Consumed = 0;
        _carriedCount = 0;
        CarryOverflowed = true;
    }
}
