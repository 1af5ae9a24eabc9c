using System.Buffers.Binary;

namespace AzNf.Packets.Parsing;

/// <summary>Which bytes win where IP fragments overlap (Suricata's <c>defrag.policy</c>).</summary>
public enum DefragPolicy : byte
{
    /// <summary>Suricata's default: the fragment that starts lower wins; at the same start, the earlier one.</summary>
    Bsd,
    /// <summary>The earliest fragment to arrive wins.</summary>
    First,
    /// <summary>The latest fragment to arrive wins.</summary>
    Last,
}

/// <summary>The defragmenter's bounds, Suricata's defaults.</summary>
public sealed record DefragOptions
{
    /// <summary>Reassemble at all (on by default).</summary>
    public bool Enabled { get; init; } = true;

    public DefragPolicy Policy { get; init; } = DefragPolicy.Bsd;

    /// <summary>Seconds (capture time) a datagram may take to complete (Suricata <c>defrag.timeout</c>, 60).</summary>
    public int TimeoutSeconds { get; init; } = 60;

    /// <summary>Datagrams in reassembly at once (Suricata <c>defrag.trackers</c>, 65,535).</summary>
    public int MaxTrackers { get; init; } = 65_535;

    /// <summary>Fragments held for one datagram.</summary>
    public int MaxFragmentsPerDatagram { get; init; } = 1024;

    /// <summary>Fragment bytes held in all (Suricata <c>defrag.memcap</c>, 32 MiB).</summary>
    public long MemcapBytes { get; init; } = 32L << 20;
}

/// <summary>What <see cref="IpDefragmenter.Offer"/> did with a frame.</summary>
public enum DefragResult : byte
{
    /// <summary>Not an IP fragment: use the frame as it is.</summary>
    NotFragment,
    /// <summary>A fragment, held until its datagram completes (or dropped; see the counters).</summary>
    Held,
    /// <summary>The fragment completed its datagram: use <see cref="IpDefragmenter.Reassembled"/>.</summary>
    Reassembled,
}

/// <summary>
/// Reassembles IPv4 and IPv6 (fragment header) datagrams from their fragments, in any order,
/// before packets are assigned to partitions: later fragments carry no ports, so on their own
/// they would hash to another partition than their flow. The reassembled frame keeps the first
/// fragment's link header and IP header (IPv4: total length, flags, offset and checksum fixed;
/// IPv6: the fragment header removed, payload length fixed) and carries the whole payload; the
/// fragments themselves are not passed on.
/// </summary>
/// <remarks>
/// Bounded like Suricata's: trackers, fragments per datagram, bytes held (memcap) and a timeout
/// in capture time. Counters: <c>fragments</c>, <c>reassembled</c>, <c>overlaps</c>,
/// <c>timeouts</c> (datagrams given up incomplete), <c>dropped</c> (fragments refused by a
/// limit or malformed). One per reader; not thread-safe.
/// </remarks>
public sealed class IpDefragmenter(DefragOptions options)
{
    private const long NanosPerSecond = 1_000_000_000;
    private readonly Dictionary<Key, Tracker> _trackers = [];
    private byte[] _output = new byte[2048];
    private int _outputLength;
    private long _bytesHeld;
    private long _lastSweep;

    public long Fragments { get; private set; }

    public long ReassembledCount { get; private set; }

    public long Overlaps { get; private set; }

    public long Timeouts { get; private set; }

    public long Dropped { get; private set; }

    /// <summary>The last reassembled frame; valid until the next call.</summary>
    public ReadOnlySpan<byte> Reassembled => _output.AsSpan(0, _outputLength);

    /// <summary>Datagrams in reassembly.</summary>
    public int Pending => _trackers.Count;

    /// <summary>The counters, for reports (zero ones included).</summary>
    public IReadOnlyDictionary<string, long> Counters => new Dictionary<string, long>
    {
        ["fragments"] = Fragments,
        ["reassembled"] = ReassembledCount,
        ["overlaps"] = Overlaps,
        ["timeouts"] = Timeouts,
        ["dropped"] = Dropped,
    };

    /// <summary>Takes a frame; a fragment is held and, when it completes its datagram, the datagram is returned.</summary>
    public DefragResult Offer(LinkType linkType, ReadOnlySpan<byte> frame, long timeNanos)
    {
        if (!options.Enabled)
        {
            return DefragResult.NotFragment;
        }
        PacketParser.Parse(linkType, frame, out var packet);
        if (!packet.IsFragment || packet.IpVersion == 0)
        {
            return DefragResult.NotFragment;
        }
        Fragments++;
        Sweep(timeNanos);
        if (!TryReadFragment(frame, packet, out var fragment))
        {
            Dropped++;
            return DefragResult.Held;
        }
        var key = new Key(packet.IpVersion, packet.Source, packet.Destination, fragment.Id, packet.IpVersion == 4 ? packet.Protocol : (byte)0);
        if (!_trackers.TryGetValue(key, out var tracker))
        {
            if (_trackers.Count >= options.MaxTrackers)
            {
                Dropped++;
                return DefragResult.Held;
            }
            tracker = new Tracker(timeNanos);
            _trackers[key] = tracker;
        }
        if (tracker.Parts.Count >= options.MaxFragmentsPerDatagram || _bytesHeld + fragment.Data.Length > options.MemcapBytes
            || fragment.Offset + fragment.Data.Length > ushort.MaxValue)
        {
            Dropped++;
            return DefragResult.Held;
        }
        if (fragment.Offset == 0)
        {
            // The unfragmentable part (link, IP header, IPv6 headers before the fragment header).
            tracker.Header = frame[..fragment.HeaderEnd].ToArray();
            tracker.NetworkOffset = packet.NetworkOffset;
            tracker.FragmentHeaderAt = fragment.FragmentHeaderAt;
            tracker.NextHeader = fragment.NextHeader;
        }
        if (!fragment.MoreFragments)
        {
            tracker.TotalLength = fragment.Offset + fragment.Data.Length;
        }
        foreach (var part in tracker.Parts)
        {
            if (fragment.Offset < part.Offset + part.Data.Length && part.Offset < fragment.Offset + fragment.Data.Length)
            {
                Overlaps++;
                break;
            }
        }
        tracker.Parts.Add(new Part(fragment.Offset, fragment.Data.ToArray(), tracker.Parts.Count));
        _bytesHeld += fragment.Data.Length;
        if (tracker.Header is null || tracker.TotalLength < 0 || !Complete(tracker))
        {
            return DefragResult.Held;
        }
        _trackers.Remove(key);
        Release(tracker);
        Build(tracker);
        ReassembledCount++;
        return DefragResult.Reassembled;
    }

    private static bool Complete(Tracker tracker)
    {
        int covered = 0;
        foreach (var part in tracker.Parts.OrderBy(p => p.Offset))
        {
            if (part.Offset > covered)
            {
                return false;
            }
            covered = Math.Max(covered, part.Offset + part.Data.Length);
        }
        return covered >= tracker.TotalLength;
    }

    private void Build(Tracker tracker)
    {
        var header = tracker.Header!;
        bool v4 = tracker.FragmentHeaderAt < 0;
        int headerLength = v4 ? header.Length : header.Length - 8;
        int length = headerLength + tracker.TotalLength;
        if (_output.Length < length)
        {
            _output = new byte[Math.Max(length, _output.Length * 2)];
        }
        var output = _output.AsSpan(0, length);
        if (v4)
        {
            header.CopyTo(output);
        }
        else
        {
            // Everything but the 8-byte fragment header; the header before it now names what followed it.
            header.AsSpan(0, tracker.FragmentHeaderAt).CopyTo(output);
            header.AsSpan(tracker.FragmentHeaderAt + 8).CopyTo(output[tracker.FragmentHeaderAt..]);
        }
        var payload = output[headerLength..];
        var written = new bool[tracker.TotalLength];
        // Write in priority order, each byte by the first fragment that may claim it.
        IEnumerable<Part> order = options.Policy switch
        {
            DefragPolicy.First => tracker.Parts.OrderBy(p => p.Arrival),
            DefragPolicy.Last => tracker.Parts.OrderByDescending(p => p.Arrival),
            _ => tracker.Parts.OrderBy(p => p.Offset).ThenBy(p => p.Arrival),
        };
        foreach (var part in order)
        {
            for (int i = 0; i < part.Data.Length && part.Offset + i < tracker.TotalLength; i++)
            {
                if (!written[part.Offset + i])
                {
                    payload[part.Offset + i] = part.Data[i];
                    written[part.Offset + i] = true;
                }
            }
        }
        var ip = output[tracker.NetworkOffset..];
        if (v4)
        {
            int ihl = (ip[0] & 0x0F) * 4;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ihl + tracker.TotalLength));
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..ihl], 0));
        }
        else
        {
            int extensions = tracker.FragmentHeaderAt - tracker.NetworkOffset - 40;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(extensions + tracker.TotalLength));
            // The field that named the fragment header: the IPv6 header's, or the previous extension's first byte.
            int namer = tracker.PreviousHeaderField(header);
            output[namer] = tracker.NextHeader;
        }
        _outputLength = length;
    }

    private void Sweep(long timeNanos)
    {
        if (timeNanos - _lastSweep < NanosPerSecond && _trackers.Count < options.MaxTrackers)
        {
            return;
        }
        _lastSweep = timeNanos;
        long limit = options.TimeoutSeconds * NanosPerSecond;
        List<Key>? expired = null;
        foreach (var (key, tracker) in _trackers)
        {
            if (timeNanos - tracker.Started >= limit)
            {
                (expired ??= []).Add(key);
            }
        }
        foreach (var key in expired ?? [])
        {
            Release(_trackers[key]);
            _trackers.Remove(key);
            Timeouts++;
        }
    }

    private void Release(Tracker tracker)
    {
        foreach (var part in tracker.Parts)
        {
            _bytesHeld -= part.Data.Length;
        }
    }

    private static bool TryReadFragment(ReadOnlySpan<byte> frame, in ParsedPacket packet, out Fragment fragment)
    {
        fragment = default;
        var ip = frame[packet.NetworkOffset..];
        if (packet.IpVersion == 4)
        {
            int ihl = (ip[0] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            if (total > ip.Length || total < ihl)
            {
                return false;
            }
            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            fragment = new Fragment(
                BinaryPrimitives.ReadUInt16BigEndian(ip[4..]), (flags & 0x1FFF) * 8, (flags & 0x2000) != 0,
                ip[ihl..total], packet.NetworkOffset + ihl, -1, 0);
            // Only the last fragment may have a length that is not a multiple of 8.
            return !fragment.MoreFragments || fragment.Data.Length % 8 == 0;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (40 + payloadLength > ip.Length)
        {
            return false;
        }
        var datagram = ip[..(40 + payloadLength)];
        byte next = ip[6];
        int position = 40;
        for (int walked = 0; walked < 8 && position + 8 <= datagram.Length; walked++)
        {
            if (next == 44)
            {
                ushort offsetFlags = BinaryPrimitives.ReadUInt16BigEndian(datagram[(position + 2)..]);
                fragment = new Fragment(
                    BinaryPrimitives.ReadUInt32BigEndian(datagram[(position + 4)..]), offsetFlags & 0xFFF8, (offsetFlags & 1) != 0,
                    datagram[(position + 8)..], packet.NetworkOffset + position + 8, packet.NetworkOffset + position, datagram[position]);
                return !fragment.MoreFragments || fragment.Data.Length % 8 == 0;
            }
            if (next is not (0 or 43 or 60 or 51))
            {
                return false;
            }
            int length = next == 51 ? (datagram[position + 1] + 2) * 4 : (datagram[position + 1] + 1) * 8;
            next = datagram[position];
            position += length;
        }
        return false;
    }

    private readonly record struct Key(byte Version, NetAddress Source, NetAddress Destination, uint Id, byte Protocol);

    private readonly ref struct Fragment(uint id, int offset, bool more, ReadOnlySpan<byte> data, int headerEnd, int fragmentHeaderAt, byte nextHeader)
    {
        public uint Id { get; } = id;
        public int Offset { get; } = offset;
        public bool MoreFragments { get; } = more;
        public ReadOnlySpan<byte> Data { get; } = data;
        /// <summary>Where the payload starts in the frame: the end of the unfragmentable part (IPv6: after the fragment header).</summary>
        public int HeaderEnd { get; } = headerEnd;
        /// <summary>IPv6: frame offset of the fragment header; -1 for IPv4.</summary>
        public int FragmentHeaderAt { get; } = fragmentHeaderAt;
        /// <summary>IPv6: the fragment header's Next Header.</summary>
        public byte NextHeader { get; } = nextHeader;
    }

    private sealed record Part(int Offset, byte[] Data, int Arrival);

    private sealed class Tracker(long started)
    {
        public long Started { get; } = started;
        public List<Part> Parts { get; } = [];
        public byte[]? Header { get; set; }
        public int NetworkOffset { get; set; }
        public int FragmentHeaderAt { get; set; } = -1;
        public byte NextHeader { get; set; }
        public int TotalLength { get; set; } = -1;

        /// <summary>IPv6: the frame offset of the Next Header field that names the fragment header.</summary>
        public int PreviousHeaderField(byte[] header)
        {
            int field = NetworkOffset + 6;
            int position = NetworkOffset + 40;
            byte next = header[field];
            while (position < FragmentHeaderAt && next != 44)
            {
                field = position;
                int length = next == 51 ? (header[position + 1] + 2) * 4 : (header[position + 1] + 1) * 8;
                next = header[position];
                position += length;
            }
            return field;
        }
    }
}
