using System.Buffers;
using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.RateLimit;

/// <summary>
/// The rate limiter and SYN-flood guard (<c>type: ratelimit</c>): token buckets per source and per
/// destination address, refilled by capture time, so a replay gives the same drops however fast it
/// runs. A packet passes when every bucket it draws on has the tokens (a full bucket passes a
/// packet larger than itself), and only then are they taken; otherwise the first limit it breaks
/// names the drop (or the mark). Its state is shared by the flows of an address, so it is the
/// partition's, not the flow's: nothing is kept per flow.
/// </summary>
/// <remarks>
/// Packets that are not IP (or do not parse) pass unlimited, counted as <c>not-ip</c>.
/// Counters: <c>packets</c>, <c>not-ip</c>, <c>dropped:LIMIT</c> or <c>marked:LIMIT</c> per limit,
/// <c>addresses:sources</c>, <c>addresses:destinations</c> (tracked at the end),
/// <c>addresses:evicted</c>.
/// </remarks>
public sealed class RateLimiter : FlowlessNetworkFunction
{
    private const double NanosPerSecond = 1e9;

    // Limits in the order a packet is checked against them; a reason and a counter each.
    private static readonly string[] Limits = ["source-packets", "source-bits", "source-syn", "destination-packets", "destination-bits", "destination-syn"];
    private static readonly string[] DropReasons = [.. Limits.Select(l => "ratelimit:" + l)];

    private readonly RateLimitAction _action;
    private readonly AddressRates _sourceRates;
    private readonly AddressRates _destinationRates;
    private readonly AddressBucket _sourceFull;
    private readonly AddressBucket _destinationFull;
    // One table per flow shard of the partition (a slice), made when the slice is first used.
    private readonly AddressBuckets?[] _sources;
    private readonly AddressBuckets?[] _destinations;
    private readonly int _sliceCapacity;
    private readonly long[] _limited = new long[Limits.Length];
    private long _packets;
    private long _notIp;

    /// <param name="options">The stage's limits, for the whole chain.</param>
    /// <param name="partitions">The run's partition count.</param>
    /// <param name="shards">The chain's flow shards: this instance keeps one slice per shard, each enforcing 1/(partitions × shards) of each rate.</param>
    public RateLimiter(RateLimitOptions options, int partitions, int shards = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _action = options.Action;
        _sourceRates = Share(options.BySource, partitions * shards);
        _destinationRates = Share(options.ByDestination, partitions * shards);
        _sourceFull = Full(_sourceRates, options.BurstSeconds);
        _destinationFull = Full(_destinationRates, options.BurstSeconds);
        _sources = new AddressBuckets?[shards];
        _destinations = new AddressBuckets?[shards];
        _sliceCapacity = (int)Math.Max(1, ((long)options.MaxAddresses + shards - 1) / shards);
    }

    public override byte SliceFormat => 1;

    public override long Errors => 0;

    public override Verdict Process(ref PacketContext packet, int flow)
    {
        _packets++;
        if (!packet.IsParsed || packet.Packet.IpVersion == 0)
        {
            _notIp++;
            return Verdict.Forward;
        }
        long now = packet.TimestampNanos;
        double bits = packet.WireLength * 8.0;
        bool syn = packet.Packet.IsTcp && (packet.Packet.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn;

        int shard = (uint)packet.Shard < (uint)_sources.Length ? packet.Shard : 0;
        // Both tables are allocated whole when made, so these refs stay valid.
        ref var source = ref !_sourceRates.Any ? ref Unsafe.NullRef<AddressBucket>() : ref Touch(Table(_sources, shard), packet.Packet.Source, _sourceRates, in _sourceFull, now);
        ref var destination = ref !_destinationRates.Any ? ref Unsafe.NullRef<AddressBucket>() : ref Touch(Table(_destinations, shard), packet.Packet.Destination, _destinationRates, in _destinationFull, now);
        int broken = Unsafe.IsNullRef(ref source) ? -1 : Broken(in source, in _sourceRates, in _sourceFull, bits, syn, first: 0);
        if (broken < 0 && !Unsafe.IsNullRef(ref destination))
        {
            broken = Broken(in destination, in _destinationRates, in _destinationFull, bits, syn, first: 3);
        }
        if (broken >= 0)
        {
            // A packet over a limit takes no tokens (a policer charges conforming packets only).
            _limited[broken]++;
            return _action == RateLimitAction.Drop ? Verdict.Drop(DropReasons[broken]) : Verdict.Forward;
        }
        if (!Unsafe.IsNullRef(ref source))
        {
            Take(ref source, bits, syn);
        }
        if (!Unsafe.IsNullRef(ref destination))
        {
            Take(ref destination, bits, syn);
        }
        return Verdict.Forward;
    }

    public override void ReportCounters(IDictionary<string, long> into)
    {
        Add(into, "packets", _packets);
        Add(into, "not-ip", _notIp);
        string prefix = _action == RateLimitAction.Drop ? "dropped:" : "marked:";
        for (int i = 0; i < Limits.Length; i++)
        {
            Add(into, prefix + Limits[i], _limited[i]);
        }
        Add(into, "addresses:sources", _sources.Sum(t => t?.Count ?? 0));
        Add(into, "addresses:destinations", _destinations.Sum(t => t?.Count ?? 0));
        Add(into, "addresses:evicted", _sources.Sum(t => t?.Evictions ?? 0) + _destinations.Sum(t => t?.Evictions ?? 0));
    }

    public override void WriteSlice(int shard, IBufferWriter<byte> into)
    {
        into.WriteByte((byte)((_sourceRates.Any ? 1 : 0) | (_destinationRates.Any ? 2 : 0)));
        WriteTable(_sources[shard], _sourceRates.Any, into);
        WriteTable(_destinations[shard], _destinationRates.Any, into);
    }

    public override void ReadSlice(int shard, byte format, ReadOnlySpan<byte> section)
    {
        if (format != SliceFormat)
        {
            throw new InvalidDataException($"rate limiter slice format {format}, this build reads {SliceFormat}");
        }
        _sources[shard]?.Clear();
        _destinations[shard]?.Clear();
        if (section.IsEmpty)
        {
            return;
        }
        var reader = new SnapshotReader(section);
        int kinds = reader.Byte();
        if (kinds != ((_sourceRates.Any ? 1 : 0) | (_destinationRates.Any ? 2 : 0)))
        {
            return; // written under limits by other directions: the slice starts fresh
        }
        if (_sourceRates.Any)
        {
            Table(_sources, shard).Read(ref reader);
        }
        if (_destinationRates.Any)
        {
            Table(_destinations, shard).Read(ref reader);
        }
        reader.EnsureEnd();
    }

    private AddressBuckets Table(AddressBuckets?[] tables, int shard) => tables[shard] ??= new AddressBuckets(_sliceCapacity);

    private static void WriteTable(AddressBuckets? table, bool kept, IBufferWriter<byte> into)
    {
        if (!kept)
        {
            return;
        }
        if (table is null)
        {
            into.WriteInt32(0);
            return;
        }
        table.Write(into);
    }

    /// <summary>The address's buckets, refilled for the time since they were last refilled (never for time going back).</summary>
    private static ref AddressBucket Touch(AddressBuckets table, NetAddress address, in AddressRates rates, in AddressBucket full, long now)
    {
        ref var bucket = ref table.Touch(address, full with { RefilledNanos = now });
        long elapsed = now - bucket.RefilledNanos;
        if (elapsed > 0)
        {
            double seconds = elapsed / NanosPerSecond;
            bucket.Packets = Math.Min(full.Packets, bucket.Packets + (rates.PacketsPerSecond * seconds));
            bucket.Bits = Math.Min(full.Bits, bucket.Bits + (rates.BitsPerSecond * seconds));
            bucket.Syns = Math.Min(full.Syns, bucket.Syns + (rates.SynPerSecond * seconds));
            bucket.RefilledNanos = now;
        }
        return ref bucket;
    }

    /// <summary>The index of the first limit (from <paramref name="first"/>) the packet breaks, or −1.</summary>
    private static int Broken(in AddressBucket bucket, in AddressRates rates, in AddressBucket full, double bits, bool syn, int first)
    {
        if (rates.PacketsPerSecond > 0 && !Conforms(bucket.Packets, 1, full.Packets))
        {
            return first;
        }
        if (rates.BitsPerSecond > 0 && !Conforms(bucket.Bits, bits, full.Bits))
        {
            return first + 1;
        }
        if (syn && rates.SynPerSecond > 0 && !Conforms(bucket.Syns, 1, full.Syns))
        {
            return first + 2;
        }
        return -1;
    }

    // A full bucket passes a packet larger than itself, so no size of packet is shut out for good.
    private static bool Conforms(double tokens, double cost, double capacity) => tokens >= cost || tokens >= capacity;

    private static void Take(ref AddressBucket bucket, double bits, bool syn)
    {
        bucket.Packets = Math.Max(0, bucket.Packets - 1);
        bucket.Bits = Math.Max(0, bucket.Bits - bits);
        if (syn)
        {
            bucket.Syns = Math.Max(0, bucket.Syns - 1);
        }
    }

    private static AddressRates Share(AddressRates rates, int partitions) =>
        new(rates.PacketsPerSecond / partitions, rates.BitsPerSecond / partitions, rates.SynPerSecond / partitions);

    private static AddressBucket Full(AddressRates rates, double burstSeconds) => new()
    {
        Packets = rates.PacketsPerSecond * burstSeconds,
        Bits = rates.BitsPerSecond * burstSeconds,
        Syns = rates.SynPerSecond * burstSeconds,
    };
}
