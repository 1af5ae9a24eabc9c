using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using AzNf.Packets.Flows;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>Why a flow left the table.</summary>
public enum FlowEndReason : byte
{
    /// <summary>Idle past its class's timeout.</summary>
    Expired,
    /// <summary>The table was full and this was the least recently seen flow.</summary>
    Evicted,
    /// <summary>A new connection reused the 5-tuple after this one closed.</summary>
    Reused,
    /// <summary>The capture ended with the flow still live.</summary>
    EndOfRun,
}

/// <summary>Called for every flow that leaves the table (in <paramref name="slot"/>), before its slot is reused.</summary>
public delegate void FlowEndHandler(int slot, ref FlowState flow, FlowEndReason reason);

/// <summary>
/// One partition's flows: a chained hash table over a growable array of inline
/// <see cref="FlowState"/> structs, plus one queue per timeout class so that expiry and
/// eviction look only at queue heads. Single-threaded by design: a partition is one ordered
/// stream handled by one thread.
/// </summary>
/// <remarks>
/// The queues are lazy LRU lists ("second chance"): a packet only stamps its flow's last-seen
/// time and a seen-since-queued bit; a flow moves to its queue's tail when it reaches the head
/// with that bit set. An unmarked head was queued before everything behind it and not seen
/// since, so it is the least recently seen of its class. That keeps pointer-chasing off the per-packet path (measured: moving
/// to the tail on every packet cost ~25% of the counter's throughput at 100k flows) while
/// expiry stays exact and eviction picks the least recently seen flow.
/// </remarks>
public sealed class FlowTable
{
    private const int None = -1;
    private const int InitialSlots = 1024;
    private const long ExpiryCheckIntervalNanos = 1_000_000_000;

    private readonly FlowEndHandler _onEnd;
    private readonly long[] _timeoutNanos;
    private readonly int _capacity;
    private readonly int[] _lruHead = new int[6];
    private readonly int[] _lruTail = new int[6];
    private Slot[] _slots;
    private int[] _buckets; // slot index + 1; 0 = empty
    private int _bucketMask;
    private int _freeHead = None;
    private int _used; // slots ever handed out (high-water mark of the array)
    private long _nextExpiryCheck = long.MinValue;
    // Second keys of flows whose packets travel under another 5-tuple on one side (a NAT's
    // translated reply): few flows have one, so they live beside the table, not in every slot.
    private readonly Dictionary<FlowKey, FlowAlias> _aliases = [];
    private readonly Dictionary<int, FlowKey> _aliasBySlot = [];

    private readonly record struct FlowAlias(int Slot, bool OriginatorIsLower);

    private struct Slot
    {
        public FlowState State;
        public int NextInBucket;
        public int LruPrev;
        public int LruNext;
        public FlowTimeoutClass Class;
        public bool Live;
        public bool SeenSinceQueued;
    }

    public FlowTable(FlowTableOptions options, FlowEndHandler onEnd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        _capacity = options.Capacity;
        _timeoutNanos = options.TimeoutNanosByClass();
        _onEnd = onEnd;
        int slots = Math.Min(InitialSlots, _capacity);
        _slots = new Slot[slots];
        _buckets = new int[BucketCountFor(slots)];
        _bucketMask = _buckets.Length - 1;
        Array.Fill(_lruHead, None);
        Array.Fill(_lruTail, None);
    }

    public int Count { get; private set; }
    public int Peak { get; private set; }
    public long Expired { get; private set; }
    public long Evicted { get; private set; }

    /// <summary>The live flow at <paramref name="slot"/>.</summary>
    public ref FlowState this[int slot] => ref _slots[slot].State;

    /// <summary>
    /// Finds the flow for <paramref name="key"/> or adds an empty one (evicting the least recently
    /// seen flow when full). Expires idle flows first, so a flow idle past its timeout comes back
    /// as a new one.
    /// </summary>
    public int FindOrAdd(in FlowKey key, long nowNanos, out bool created)
    {
        ExpireIdleIfDue(nowNanos);
        return FindOrInsert(key, nowNanos, out created);
    }

    /// <summary>Expires idle flows when a second of capture time has passed since the last look (what <see cref="FindOrAdd"/> does first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExpireIdleIfDue(long nowNanos)
    {
        if (nowNanos >= _nextExpiryCheck)
        {
            ExpireIdle(nowNanos);
            _nextExpiryCheck = nowNanos + ExpiryCheckIntervalNanos;
        }
    }

    /// <summary>Flows that also answer to a second key (<see cref="AddAlias"/>).</summary>
    public int AliasCount => _aliases.Count;

    /// <summary>
    /// Lets the live flow at <paramref name="slot"/> be found by <paramref name="alias"/> too (one
    /// alias a flow), until the flow leaves the table or <see cref="RemoveAlias"/>.
    /// <paramref name="originatorIsLower"/>: the flow's originator is the alias's lower endpoint,
    /// so a packet found by it gets its direction as by the flow's own key.
    /// </summary>
    /// <returns>False when the key is taken: a live flow has it as its key or alias.</returns>
    public bool AddAlias(in FlowKey alias, int slot, bool originatorIsLower)
    {
        Debug.Assert(_slots[slot].Live);
        if (TryFind(alias, out _) || _aliases.ContainsKey(alias))
        {
            return false;
        }
        RemoveAlias(slot);
        _aliases.Add(alias, new FlowAlias(slot, originatorIsLower));
        _aliasBySlot.Add(slot, alias);
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is a live flow's key or alias, here or where <see cref="KeysElsewhere"/> looks.</summary>
    public bool IsTaken(in FlowKey key) => TryFind(key, out _) || (_aliases.Count > 0 && _aliases.ContainsKey(key)) || (KeysElsewhere?.Invoke(key) ?? false);

    /// <summary>
    /// Live flow keys and aliases held outside this table that a new alias must not take: a
    /// durable shard step's table holds only the flows its packets touch, the shard's map the rest.
    /// Null when the table holds every flow of its partition (the embedded runtime).
    /// </summary>
    public Func<FlowKey, bool>? KeysElsewhere { get; set; }

    /// <summary>The flow <paramref name="alias"/> stands for, and whether its originator is the alias's lower endpoint.</summary>
    public bool TryFindAlias(in FlowKey alias, out int slot, out bool originatorIsLower)
    {
        if (_aliases.Count > 0 && _aliases.TryGetValue(alias, out var found))
        {
            slot = found.Slot;
            originatorIsLower = found.OriginatorIsLower;
            return true;
        }
        slot = None;
        originatorIsLower = false;
        return false;
    }

    /// <summary>The alias of the flow at <paramref name="slot"/>, if it has one.</summary>
    public bool TryGetAlias(int slot, out FlowKey alias)
    {
        if (_aliasBySlot.Count > 0 && _aliasBySlot.TryGetValue(slot, out alias))
        {
            return true;
        }
        alias = default;
        return false;
    }

    /// <summary>The flow at <paramref name="slot"/> answers to its own key only again.</summary>
    public void RemoveAlias(int slot)
    {
        if (_aliasBySlot.Count > 0 && _aliasBySlot.Remove(slot, out var alias))
        {
            _aliases.Remove(alias);
        }
    }

    /// <summary>
    /// Finds the flow for <paramref name="key"/> or adds an empty one, expiring nothing: a flow
    /// brought in from elsewhere (a durable shard's) is not the passage of time, and its last packet
    /// may be later than those of flows imported with it whose packets are still to run.
    /// </summary>
    public int FindOrInsert(in FlowKey key, long nowNanos, out bool created)
    {
        ulong hash = key.StableHash;
        int bucket = (int)(hash & (ulong)_bucketMask);
        for (int i = _buckets[bucket] - 1; i != None; i = _slots[i].NextInBucket)
        {
            if (_slots[i].State.Key == key)
            {
                created = false;
                return i;
            }
        }

        created = true;
        return Add(key, nowNanos, hash);
    }

    /// <summary>The slot of <paramref name="key"/>'s live flow, without adding or expiring anything.</summary>
    public bool TryFind(in FlowKey key, out int slot)
    {
        int bucket = (int)(key.StableHash & (ulong)_bucketMask);
        for (int i = _buckets[bucket] - 1; i != None; i = _slots[i].NextInBucket)
        {
            if (_slots[i].State.Key == key)
            {
                slot = i;
                return true;
            }
        }
        slot = None;
        return false;
    }

    /// <summary>
    /// Takes a flow out of the table without ending it (no end handler, no record): its state
    /// has moved elsewhere (a durable flow entity) and lives on there.
    /// </summary>
    public void Detach(int slot)
    {
        Debug.Assert(_slots[slot].Live);
        Free(slot);
    }

    /// <summary>Marks a flow as seen now and files it under <paramref name="timeoutClass"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Touch(int slot, long nowNanos, FlowTimeoutClass timeoutClass)
    {
        ref var s = ref _slots[slot];
        if (nowNanos > s.State.LastSeenNanos)
        {
            s.State.LastSeenNanos = nowNanos;
        }
        s.SeenSinceQueued = true;
        if (s.Class != timeoutClass)
        {
            Unlink(slot);
            s.Class = timeoutClass;
            Append(slot);
        }
    }

    /// <summary>Ends a flow (e.g. 5-tuple reuse): the handler sees it, then the slot is freed.</summary>
    public void Remove(int slot, FlowEndReason reason)
    {
        Debug.Assert(_slots[slot].Live);
        _onEnd(slot, ref _slots[slot].State, reason);
        Free(slot);
    }

    /// <summary>Ends every flow idle past its class timeout at <paramref name="nowNanos"/>.</summary>
    public void ExpireIdle(long nowNanos)
    {
        for (int c = 0; c < _lruHead.Length; c++)
        {
            long timeout = _timeoutNanos[c];
            int head;
            while ((head = SettledHead(c)) != None && nowNanos - _slots[head].State.LastSeenNanos > timeout)
            {
                Expired++;
                Remove(head, FlowEndReason.Expired);
            }
        }
    }

    /// <summary>The keys of every live flow (for moving the table's flows to a table built under other rules).</summary>
    public List<FlowKey> LiveKeys()
    {
        var keys = new List<FlowKey>(Count);
        for (int slot = 0; slot < _used; slot++)
        {
            if (_slots[slot].Live)
            {
                keys.Add(_slots[slot].State.Key);
            }
        }
        return keys;
    }

    /// <summary>Ends every live flow, oldest first within each class (end of run).</summary>
    public void RemoveAll(FlowEndReason reason)
    {
        for (int c = 0; c < _lruHead.Length; c++)
        {
            int head;
            while ((head = _lruHead[c]) != None)
            {
                Remove(head, reason);
            }
        }
    }

    private int Add(in FlowKey key, long nowNanos, ulong hash)
    {
        if (Count == _capacity)
        {
            EvictLeastRecentlySeen();
        }
        int slot;
        if (_freeHead != None)
        {
            slot = _freeHead;
            _freeHead = _slots[slot].NextInBucket;
        }
        else
        {
            if (_used == _slots.Length)
            {
                Grow();
            }
            slot = _used++;
        }

        ref var s = ref _slots[slot];
        s.State = default;
        s.State.Key = key;
        s.State.FirstSeenNanos = nowNanos;
        s.State.LastSeenNanos = nowNanos;
        s.Live = true;
        s.Class = FlowTimeoutClass.Other;
        int bucket = (int)(hash & (ulong)_bucketMask);
        s.NextInBucket = _buckets[bucket] - 1;
        _buckets[bucket] = slot + 1;
        Append(slot);
        Count++;
        Peak = Math.Max(Peak, Count);
        return slot;
    }

    private void EvictLeastRecentlySeen()
    {
        int oldest = None;
        for (int c = 0; c < _lruHead.Length; c++)
        {
            int head = SettledHead(c);
            if (head != None && (oldest == None || _slots[head].State.LastSeenNanos < _slots[oldest].State.LastSeenNanos))
            {
                oldest = head;
            }
        }
        Evicted++;
        Remove(oldest, FlowEndReason.Evicted);
    }

    /// <summary>
    /// The head of class <paramref name="c"/>'s queue after moving heads seen since they were
    /// queued to the tail: the flow it returns was seen least recently of its class.
    /// </summary>
    private int SettledHead(int c)
    {
        int head;
        while ((head = _lruHead[c]) != None && _slots[head].SeenSinceQueued)
        {
            Unlink(head);
            Append(head);
        }
        return head;
    }

    private void Free(int slot)
    {
        ref var s = ref _slots[slot];
        RemoveAlias(slot);
        Unlink(slot);
        int bucket = (int)(s.State.Key.StableHash & (ulong)_bucketMask);
        ref int link = ref _buckets[bucket];
        if (link - 1 == slot)
        {
            link = s.NextInBucket + 1;
        }
        else
        {
            int i = link - 1;
            while (_slots[i].NextInBucket != slot)
            {
                i = _slots[i].NextInBucket;
            }
            _slots[i].NextInBucket = s.NextInBucket;
        }
        s.Live = false;
        s.State = default;
        s.NextInBucket = _freeHead;
        _freeHead = slot;
        Count--;
    }

    private void Grow()
    {
        int size = (int)Math.Min((long)_slots.Length * 2, _capacity);
        Array.Resize(ref _slots, size);
        _buckets = new int[BucketCountFor(size)];
        _bucketMask = _buckets.Length - 1;
        for (int i = 0; i < _used; i++)
        {
            if (!_slots[i].Live)
            {
                continue;
            }
            int bucket = (int)(_slots[i].State.Key.StableHash & (ulong)_bucketMask);
            _slots[i].NextInBucket = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
        }
    }

    private void Append(int slot)
    {
        ref var s = ref _slots[slot];
        int c = (int)s.Class;
        s.SeenSinceQueued = false;
        s.LruPrev = _lruTail[c];
        s.LruNext = None;
        if (_lruTail[c] != None)
        {
            _slots[_lruTail[c]].LruNext = slot;
        }
        else
        {
            _lruHead[c] = slot;
        }
        _lruTail[c] = slot;
    }

    private void Unlink(int slot)
    {
        ref var s = ref _slots[slot];
        int c = (int)s.Class;
        if (s.LruPrev != None)
        {
            _slots[s.LruPrev].LruNext = s.LruNext;
        }
        else
        {
            _lruHead[c] = s.LruNext;
        }
        if (s.LruNext != None)
        {
            _slots[s.LruNext].LruPrev = s.LruPrev;
        }
        else
        {
            _lruTail[c] = s.LruPrev;
        }
    }

    // Two buckets per slot keeps chains short (load factor ≤ 0.5).
    private static int BucketCountFor(int slots) => (int)Math.Min(1L << 30, BitOperations.RoundUpToPowerOf2((uint)slots * 2));
}
