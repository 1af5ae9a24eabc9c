using System.Buffers;
using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.RateLimit;

/// <summary>One address's token buckets: tokens left of each rate, and when they were last refilled.</summary>
internal struct AddressBucket
{
    public long RefilledNanos;
    public double Packets;
    public double Bits;
    public double Syns;
}

/// <summary>
/// Token buckets of at most <see cref="Capacity"/> addresses, the least recently seen evicted
/// first (counted): an index from address to slot and a doubly linked recency list in arrays,
/// all allocated at construction, so a packet costs a hash lookup and a few array writes.
/// </summary>
internal sealed class AddressBuckets
{
    private const int None = -1;

    private readonly Dictionary<NetAddress, int> _slots;
    private readonly NetAddress[] _addresses;
    private readonly AddressBucket[] _buckets;
    private readonly int[] _newer;
    private readonly int[] _older;
    private int _newest = None;
    private int _oldest = None;
    private int _count;

    public AddressBuckets(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _slots = new Dictionary<NetAddress, int>(capacity);
        _addresses = new NetAddress[capacity];
        _buckets = new AddressBucket[capacity];
        _newer = new int[capacity];
        _older = new int[capacity];
    }

    public int Capacity { get; }

    /// <summary>Addresses tracked now.</summary>
    public int Count => _count;

    /// <summary>Addresses that made room for a newer one.</summary>
    public long Evictions { get; private set; }

    /// <summary>
    /// The buckets of <paramref name="address"/>, now the most recently seen; a new address (or
    /// one evicted earlier) starts with <paramref name="fresh"/>.
    /// </summary>
    public ref AddressBucket Touch(NetAddress address, AddressBucket fresh)
    {
        if (_slots.TryGetValue(address, out int slot))
        {
            if (slot != _newest)
            {
                Unlink(slot);
                LinkNewest(slot);
            }
            return ref _buckets[slot];
        }
        if (_count == Capacity)
        {
            slot = _oldest;
            Unlink(slot);
            _slots.Remove(_addresses[slot]);
            Evictions++;
        }
        else
        {
            slot = _count++;
        }
        _addresses[slot] = address;
        _buckets[slot] = fresh;
        _slots.Add(address, slot);
        LinkNewest(slot);
        return ref _buckets[slot];
    }

    /// <summary>Forgets every address (evictions stay counted).</summary>
    public void Clear()
    {
        _slots.Clear();
        _count = 0;
        _newest = _oldest = None;
    }

    /// <summary>Writes the addresses and their buckets, least recently seen first (what <see cref="Read"/> takes back).</summary>
    public void Write(IBufferWriter<byte> into)
    {
        into.WriteInt32(_count);
        for (int slot = _oldest; slot != None; slot = _newer[slot])
        {
            into.WriteUInt64(_addresses[slot].High);
            into.WriteUInt64(_addresses[slot].Low);
            ref var bucket = ref _buckets[slot];
            into.WriteInt64(bucket.RefilledNanos);
            into.WriteUInt64(BitConverter.DoubleToUInt64Bits(bucket.Packets));
            into.WriteUInt64(BitConverter.DoubleToUInt64Bits(bucket.Bits));
            into.WriteUInt64(BitConverter.DoubleToUInt64Bits(bucket.Syns));
        }
    }

    /// <summary>Replaces the table with what <see cref="Write"/> wrote, in the same recency order (the newest kept when it held more than fit).</summary>
    /// <exception cref="InvalidDataException">The bytes are cut or hold an impossible count.</exception>
    public void Read(ref SnapshotReader reader)
    {
        Clear();
        int count = reader.Int32();
        if (count < 0 || count > reader.Remaining / 48)
        {
            throw new InvalidDataException($"{count} addresses in {reader.Remaining} bytes");
        }
        for (int i = 0; i < count; i++)
        {
            var address = new NetAddress(reader.UInt64(), reader.UInt64());
            var bucket = new AddressBucket
            {
                RefilledNanos = reader.Int64(),
                Packets = BitConverter.UInt64BitsToDouble(reader.UInt64()),
                Bits = BitConverter.UInt64BitsToDouble(reader.UInt64()),
                Syns = BitConverter.UInt64BitsToDouble(reader.UInt64()),
            };
            // Oldest first: touching each in turn rebuilds the order; one stored twice keeps its last.
            Touch(address, bucket) = bucket;
        }
    }

    /// <summary>Whether <paramref name="address"/> is tracked (tests).</summary>
    public bool Contains(NetAddress address) => _slots.ContainsKey(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unlink(int slot)
    {
        int newer = _newer[slot], older = _older[slot];
        if (newer == None)
        {
            _newest = older;
        }
        else
        {
            _older[newer] = older;
        }
        if (older == None)
        {
            _oldest = newer;
        }
        else
        {
            _newer[older] = newer;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LinkNewest(int slot)
    {
        _newer[slot] = None;
        _older[slot] = _newest;
        if (_newest != None)
        {
            _newer[_newest] = slot;
        }
        _newest = slot;
        if (_oldest == None)
        {
            _oldest = slot;
        }
    }
}
